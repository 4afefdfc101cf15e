import { describe, expect, it } from "vitest";
import { haproxyCommand, haproxyConfig } from "./haproxy-config.js";
import { parseHaproxyCsv } from "./haproxy.js";
import { clusterSpec } from "./topology.js";

const CSV = `# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck
stats,FRONTEND,,,1,1,300,3,0,0,0,0,0,,,,,OPEN,,,
stats,BACKEND,0,0,0,0,30,0,0,0,0,0,,0,0,0,0,UP,0,0,0
primary,FRONTEND,,,1,1,300,1,0,0,0,0,0,,,,,OPEN,,,
primary,pg1,0,0,0,0,100,0,0,0,,0,,0,0,0,0,DOWN,1,1,0
primary,pg2,0,0,1,1,100,1,0,0,,0,,0,0,0,0,UP,1,1,0
primary,pg3,0,0,0,0,100,0,0,0,,0,,0,0,0,0,DOWN 1/2,1,1,0
primary,BACKEND,0,0,1,1,30,1,0,0,0,0,,0,0,0,0,UP,1,1,0
replicas,FRONTEND,,,0,0,300,0,0,0,0,0,0,,,,,OPEN,,,
replicas,pg1,0,0,0,0,100,0,0,0,,0,,0,0,0,0,UP 1/2,1,1,0
replicas,pg2,0,0,0,0,100,0,0,0,,0,,0,0,0,0,DOWN,1,1,0
replicas,pg3,0,0,0,0,100,0,0,0,,0,,0,0,0,0,UP,1,1,0
replicas,BACKEND,0,0,0,0,30,0,0,0,0,0,,0,0,0,0,UP,1,1,0
`;

describe("haproxy", () => {
  it("reads which servers each backend routes to from the CSV statistics", () => {
    expect(parseHaproxyCsv(CSV)).toEqual({
      primary: ["pg2"],
      // "UP 1/2": still UP (one failed check of the two that mark it DOWN).
      replicas: ["pg1", "pg3"],
      transitions: { "primary/pg3": "DOWN 1/2", "replicas/pg1": "UP 1/2" },
    });
  });

  it("rejects what is not HAProxy's CSV", () => {
    expect(() => parseHaproxyCsv("<html>")).toThrow(/not HAProxy CSV/);
  });

  it("generates Patroni's standard configuration, one server per Patroni node", () => {
    const cfg = haproxyConfig(clusterSpec({ patroni: { nodes: 2 }, haproxy: true }));
    expect(cfg).toContain("listen primary\n    bind *:5000\n    option httpchk\n    http-check send meth OPTIONS uri /primary\n    http-check expect status 200");
    expect(cfg).toContain("listen replicas\n    bind *:5001\n    option httpchk\n    http-check send meth OPTIONS uri /replica");
    expect(cfg).toContain("default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions");
    expect(cfg).toContain("    server pg1 pg1:5432 maxconn 100 check port 8008");
    expect(cfg).toContain("    server pg2 pg2:5432 maxconn 100 check port 8008");
    expect(cfg).not.toContain("pg3");
    expect(cfg).toMatch(/listen stats\n {4}mode http\n {4}bind \*:7000/);
    expect(haproxyCommand()).toEqual(["haproxy", "--", "haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"]);
  });
});

describe("haproxy.cfg with topology.security.tls", () => {
  it("checks Patroni over https, verifying the node's certificate against the run's CA", () => {
    const cfg = haproxyConfig(clusterSpec({ patroni: { nodes: 2 }, security: { tls: true, auth: false } }));
    expect(cfg).toContain("server pg2 pg2:5432 maxconn 100 check port 8008 check-ssl verify required ca-file /etc/pgchaos/tls/ca.pem check-sni pg2 verifyhost pg2 resolvers docker");
    expect(haproxyConfig(clusterSpec({ patroni: { nodes: 2 } }))).not.toContain("check-ssl");
  });
});
