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
