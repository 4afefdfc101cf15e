import { describe, expect, it } from "vitest";
import { patroniConfig } from "./patroni-config.js";
import { clusterSpec } from "./topology.js";
import { etcdCommand } from "./etcd-command.js";
import { deepMerge } from "./deep-merge.js";

const secrets = { superuserPassword: "su", replicationPassword: "rep", restapiPassword: "api" };

describe("patroni.yml", () => {
  it("lists every etcd member, carries the scenario's DCS timings and fast basebackup", () => {
    const spec = clusterSpec({ pgBinDir: "/opt/pg/bin", etcd: { members: 5, preVote: false }, dcs: { ttl: 30, loop_wait: 5, retry_timeout: 10, failsafe_mode: true } });
    const c = patroniConfig(spec, "scope-x", "pg2", secrets) as any;
    expect(c.name).toBe("pg2");
    expect(c.scope).toBe("scope-x");
    expect(c.etcd3.hosts).toEqual(["e1:2379", "e2:2379", "e3:2379", "e4:2379", "e5:2379"]);
    expect(c.bootstrap.dcs).toMatchObject({ ttl: 30, loop_wait: 5, retry_timeout: 10, failsafe_mode: true });
    expect(c.restapi.connect_address).toBe("pg2:8008");
    expect(c.postgresql.basebackup).toEqual([{ checkpoint: "fast" }, "no-sync"]);
    expect(c.bootstrap.initdb).toContain("no-sync");
    expect(c.postgresql.authentication.superuser.password).toBe("su");
  });

  it("writes synchronous_mode as Patroni reads it (a boolean, or quorum), with strict and the node count", () => {
    const dcs = (d: object) => (patroniConfig(clusterSpec({ pgBinDir: "/opt/pg/bin", dcs: d }), "s", "pg1", secrets) as any).bootstrap.dcs;
    expect(dcs({})).toMatchObject({ synchronous_mode: false, synchronous_mode_strict: false, synchronous_node_count: 1 });
    expect(dcs({ synchronous_mode: "on", synchronous_mode_strict: true })).toMatchObject({ synchronous_mode: true, synchronous_mode_strict: true });
    expect(dcs({ synchronous_mode: "quorum", synchronous_node_count: 2 })).toMatchObject({ synchronous_mode: "quorum", synchronous_node_count: 2 });
  });

  it("applies per-node overrides: etcd host order and a deep-merged config", () => {
    const spec = clusterSpec({ pgBinDir: "/opt/pg/bin",
      overrides: { pg1: { etcdHosts: ["e3", "e1"], patroniConfig: { restapi: { connect_address: "pg2:8008" }, tags: { nofailover: true } } } },
    });
    const c = patroniConfig(spec, "s", "pg1", secrets) as any;
    expect(c.etcd3.hosts).toEqual(["e3:2379", "e1:2379"]);
    expect(c.restapi.connect_address).toBe("pg2:8008");
    expect(c.restapi.listen).toBe("0.0.0.0:8008");
    expect(c.tags).toMatchObject({ nofailover: true, noloadbalance: false });
    const other = patroniConfig(spec, "s", "pg2", secrets) as any;
    expect(other.restapi.connect_address).toBe("pg2:8008");
    expect(other.etcd3.hosts).toEqual(["e1:2379", "e2:2379", "e3:2379"]);
  });

  it("deep merge: maps merge, lists and scalars replace, null deletes", () => {
    expect(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null, e: 2 })).toEqual({ a: { b: 1, c: [3] }, e: 2 });
  });
});

describe("etcd command", () => {
  it("advertises by hostname, uses zap, and adds --pre-vote only when asked", () => {
    const cmd = etcdCommand(clusterSpec({ pgBinDir: "/opt/pg/bin" }), "e2");
    expect(cmd).toContain("--initial-cluster=e1=http://e1:2380,e2=http://e2:2380,e3=http://e3:2380");
    expect(cmd).toContain("--advertise-client-urls=http://e2:2379");
    expect(cmd).toContain("--logger=zap");
    expect(cmd.some((a) => a.startsWith("--pre-vote"))).toBe(false);
    expect(etcdCommand(clusterSpec({ pgBinDir: "/opt/pg/bin", etcd: { members: 3, preVote: true } }), "e1")).toContain("--pre-vote=true");
  });
});

describe("topology.security", () => {
  const secure = (tls: boolean, auth: boolean) => clusterSpec({ pgBinDir: "/opt/pg/bin", security: { tls, auth } });
  const withEtcd = { ...secrets, etcdPatroniPassword: "etcd-pw" };

  it("TLS: etcd listens and advertises https with client-certificate auth; peers stay plain", () => {
    const cmd = etcdCommand(secure(true, false), "e2");
    expect(cmd).toContain("--listen-client-urls=https://0.0.0.0:2379");
    expect(cmd).toContain("--advertise-client-urls=https://e2:2379");
    expect(cmd).toEqual(expect.arrayContaining(["--client-cert-auth", "--trusted-ca-file=/etc/pgchaos/tls/ca.pem", "--cert-file=/etc/pgchaos/tls/node.pem", "--key-file=/etc/pgchaos/tls/node-key.pem"]));
    expect(cmd).toContain("--listen-peer-urls=http://0.0.0.0:2380");
    const plain = etcdCommand(clusterSpec({ pgBinDir: "/opt/pg/bin" }), "e2");
    expect(plain.some((a) => /https|cert/.test(a))).toBe(false);
  });

  it("TLS and auth: patroni.yml's etcd3 speaks https with the CN-less client certificate and the patroni user; the REST API serves https", () => {
    const c = patroniConfig(secure(true, true), "s", "pg1", withEtcd) as any;
    expect(c.etcd3).toMatchObject({
      protocol: "https",
      cacert: "/etc/pgchaos/tls/ca.pem",
      cert: "/etc/pgchaos/tls/client.pem",
      key: "/etc/pgchaos/tls/client-key.pem",
      username: "patroni",
      password: "etcd-pw",
    });
    expect(c.restapi).toMatchObject({ certfile: "/etc/pgchaos/tls/node.pem", keyfile: "/etc/pgchaos/tls/node-key.pem", cafile: "/etc/pgchaos/tls/ca.pem", authentication: { username: "pgchaos", password: "api" } });
    expect(c.ctl).toMatchObject({ cacert: "/etc/pgchaos/tls/ca.pem", authentication: { username: "pgchaos", password: "api" } });
  });

  it("auth alone: credentials over plain http; without the password the config is not made", () => {
    const c = patroniConfig(secure(false, true), "s", "pg1", withEtcd) as any;
    expect(c.etcd3).toEqual({ hosts: ["e1:2379", "e2:2379", "e3:2379"], username: "patroni", password: "etcd-pw" });
    expect(c.restapi.certfile).toBeUndefined();
    expect(() => patroniConfig(secure(false, true), "s", "pg1", secrets)).toThrow(/no etcd password/);
  });

  it("v1 labs (no security) are unchanged", () => {
    const c = patroniConfig(clusterSpec({ pgBinDir: "/opt/pg/bin", security: { tls: false, auth: false } }), "s", "pg1", withEtcd) as any;
    expect(c.etcd3).toEqual({ hosts: ["e1:2379", "e2:2379", "e3:2379"] });
    expect(c.restapi.certfile).toBeUndefined();
    expect(c.ctl).toEqual({ authentication: { username: "pgchaos", password: "api" } });
  });
});
