import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { diagnose } from "./index.js";
import type { Snapshot } from "./model.js";
import { formatDoctor, doctorJson } from "./format.js";
import { patroniEtcdTimeouts } from "./checks/timings.js";
import { clockOffset } from "./checks/util.js";
import { parseResolve, routeUrl } from "./resolve.js";

// Snapshots recorded by `pgchaos doctor --lab RUN --json --snapshot` on a 3 etcd + 3 Patroni lab
// (Patroni 3.0.2, leader pg2): healthy; pg1's restapi.connect_address set to pg2:8008 (the
// leader) and to pg3:8008 (a replica); e3 frozen with docker pause.
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures");
const load = (name: string): Snapshot => JSON.parse(readFileSync(path.join(dir, `${name}.json`), "utf8")).snapshot;
const codes = (s: Snapshot) => diagnose(s).findings.map((f) => `${f.code}:${f.subject}`);
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe("doctor on recorded lab snapshots", () => {
  it("a healthy cluster: no finding, exit 0, every member answers as itself", () => {
    const r = diagnose(load("healthy"));
    expect(r.findings).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.facts!.members.map((m) => `${m.name}:${m.answersAs}:${m.checkLag ?? "-"}`)).toEqual(["pg1:pg1:0", "pg2:pg2:-", "pg3:pg3:0"]);
    expect(r.facts!.settings).toMatchObject({ ttl: 10, loop_wait: 2, retry_timeout: 4, etcdTimeout: { members: 3, membersTried: 3, triesPerMember: 1 } });
    expect(r.facts!.etcd.every((e) => e.tcp && e.health && e.linearizableMs! < 2000)).toBe(true);
  });

  it("pg1 advertising the leader's REST API: mismatch with evidence, and the switchover check's lag hidden by the lag column", () => {
    const r = diagnose(load("wrong-address-leader"));
    expect(codes(load("wrong-address-leader"))).toEqual([
      "api-url-mismatch:pg1",
      "api-url-duplicate:pg1, pg2",
      "candidate-lagging:pg1",
      "lag-column-misleading:pg1",
    ]);
    const mismatch = r.findings[0];
    expect(mismatch.message).toMatch(/^pg1's api_url http:\/\/pg2:8008\/patroni reaches pg2's REST API, not pg1's/);
    expect(mismatch.evidence).toEqual(
      expect.arrayContaining([
        "the member key says replica, the answer is a primary",
        "the answer is a primary that lists pg1 among its own replicas",
        expect.stringMatching(/^its api_url host pg2 is [\d.]+, which is pg2's address/),
        expect.stringMatching(/^its answer comes from the same PostgreSQL instance \(started .*\) as pg2's$/),
      ]),
    );
    expect(r.findings[2].message).toMatch(/answers as a primary .*WAL position 0.*"Member pg1 exceeds maximum replication lag".*lag column from the DCS \(patronictl list\) shows 0 B/);
    expect(r.facts!.members[0]).toMatchObject({ name: "pg1", answersAs: "pg2", apiRole: "primary", dcsLag: 0 });
    // Exactly what Patroni compares: the cluster's last LSN against a primary's answer = 0.
    expect(r.facts!.members[0].checkLag).toBe(r.facts!.lastLsn);
  });

  it("pg1 advertising a replica's REST API: told apart by addresses, and by hosts alone without them", () => {
    const s = load("wrong-address-replica");
    expect(codes(s)).toEqual(["api-url-mismatch:pg1", "api-url-duplicate:pg1, pg3"]);
    // As from the command line with --resolve NAME:PORT=HOST:PORT only: no address is known.
    const blind = clone(s);
    for (const m of blind.members) {
      delete m.apiHostAddress;
      delete m.connHostAddress;
    }
    const r = diagnose(blind);
    expect(r.findings.map((f) => f.code)).toEqual(["api-url-mismatch", "api-url-duplicate"]);
    expect(r.findings[0].evidence).toEqual([expect.stringMatching(/same PostgreSQL instance .* as pg3's, and its api_url host pg3 is not its conn_url host pg1$/)]);
    expect(r.facts!.members[0].answersAs).toBe("pg3");
  });

  it("a frozen etcd member accepts TCP but serves no linearizable read: half-healthy", () => {
    const r = diagnose(load("etcd-member-paused"));
    expect(codes(load("etcd-member-paused"))).toEqual(["etcd-half-healthy:http://e3:2379"]);
    expect(r.findings[0].message).toMatch(/accepts TCP connections but did not serve a linearizable read: no answer within 2000 ms/);
  });
});

describe("doctor checks on planted inputs", () => {
  const healthy = load("healthy");

  it("timings from /config: Patroni's rule and its etcd request timeout against etcd's 7 s", () => {
    const s = clone(healthy);
    s.dcs!.config = { ...s.dcs!.config, ttl: 10, retry_timeout: 30 };
    expect(codes(s)).toEqual(["timing-rule:config", "etcd-request-timeout:config"]);
    s.dcs!.config = { ...s.dcs!.config, ttl: 30, loop_wait: 10, retry_timeout: 10 };
    expect(codes(s)).toEqual([]);
  });

  it("Patroni 3.0.2's etcd timeouts per request (dcs/etcd.py _calculate_timeouts)", () => {
    expect(patroniEtcdTimeouts(3, 10)).toEqual({ membersTried: 3, perRequestSec: 10 / 3, triesPerMember: 1 });
    expect(patroniEtcdTimeouts(3, 30)).toEqual({ membersTried: 3, perRequestSec: 10, triesPerMember: 1 });
    expect(patroniEtcdTimeouts(1, 10)).toEqual({ membersTried: 1, perRequestSec: 10 / 3, triesPerMember: 3 });
    expect(patroniEtcdTimeouts(2, 10)).toEqual({ membersTried: 2, perRequestSec: 2.5, triesPerMember: 2 });
    expect(patroniEtcdTimeouts(3, 2)).toEqual({ membersTried: 2, perRequestSec: 1, triesPerMember: 1 });
  });

  it("an api_url that does not answer, or answers without a WAL position", () => {
    const s = clone(healthy);
    s.members[0].api = { url: s.members[0].api!.url, tStart: 0, tEnd: 1, error: "connect ECONNREFUSED 127.0.0.1:1" };
    s.members[2].api!.body = { state: "stopped", role: "replica", patroni: { version: "3.0.2", scope: s.scope } };
    expect(codes(s)).toEqual(["api-url-unreachable:pg1", "candidate-not-running:pg3"]);
    const r = diagnose(s);
    expect(r.findings[0].message).toMatch(/does not answer \(connect ECONNREFUSED.*412/);
    expect(r.findings[1].message).toMatch(/answers without a WAL position \(state stopped\).*412/);
  });

  it("another cluster answering; a conn_url that refuses connections; no leader", () => {
    const s = clone(healthy);
    (s.members[0].api!.body as { patroni: { scope: string } }).patroni.scope = "other";
    s.members[2].conn = { host: "pg3", port: 5432, ok: false, ms: 3, error: "connect ECONNREFUSED" };
    expect(codes(s)).toEqual(["api-url-mismatch:pg1", "conn-url-unreachable:pg3"]);
    expect(diagnose(s).findings[0].evidence).toEqual([`it answers for cluster 'other', not '${s.scope}'`]);
    const t = clone(healthy);
    t.dcs!.leader = null;
    expect(codes(t)[0]).toBe("no-leader:cluster");
  });

  it("failsafe active on a member; a lagging replica (its own column shows it)", () => {
    const s = clone(healthy);
    (s.members[1].api!.body as Record<string, unknown>).failsafe_mode_is_active = true;
    const x = (s.members[0].api!.body as { xlog: { received_location: number; replayed_location: number } }).xlog;
    x.received_location -= 5 << 20;
    x.replayed_location -= 5 << 20;
    s.members[0].key.xlog_location! -= 5 << 20;
    expect(codes(s)).toEqual(["candidate-lagging:pg1", "failsafe-active:pg2"]);
  });

  it("clock offsets from Date headers: a host 5 s ahead, etcd members apart", () => {
    const s = clone(healthy);
    for (const c of s.members[2].clock) c.date = new Date(Date.parse(c.date) + 5000).toUTCString();
    for (const c of s.etcd[1].clock) c.date = new Date(Date.parse(c.date) - 3000).toUTCString();
    expect(codes(s)).toEqual(["clock-offset:pg3", "clock-offset:http://e2:2379", "clock-offset:http://e1:2379 / http://e2:2379", "clock-offset:http://e2:2379 / http://e3:2379"]);
    expect(diagnose(s).findings[0].message).toMatch(/^Patroni host pg3: clock \+5\.\d s ±0\.\d against this machine's/);
  });

  it("--patroni URLs: which member's PostgreSQL answers there", () => {
    const s = clone(healthy);
    s.patroni = [
      { ...s.members[1].api!, url: "http://10.0.0.2:8008/patroni", clock: s.members[1].clock },
      { url: "http://10.0.0.9:8008/patroni", tStart: 0, tEnd: 1, error: "no answer within 2000 ms", clock: [] },
    ];
    const r = diagnose(s);
    expect(r.findings).toEqual([]);
    expect(r.facts!.patroni!.map((p) => `${p.url} ${p.answersAs ?? p.error} ${p.role ?? ""}`)).toEqual([
      "http://10.0.0.2:8008/patroni pg2 primary",
      "http://10.0.0.9:8008/patroni no answer within 2000 ms ",
    ]);
    expect(formatDoctor(r)).toMatch(/Patroni REST APIs given with --patroni\n +url +answers as +role +clock\n +http:\/\/10\.0\.0\.2:8008\/patroni +pg2 +primary/);
  });

  it("clockOffset intersects the intervals one-second Date headers allow", () => {
    // Remote clock exactly 0.3 s ahead; requests of 10 ms at four fractions of a second.
    const at = (t: number) => ({ tStart: t, tEnd: t + 10, date: new Date(Math.floor((t + 5 + 300) / 1000) * 1000).toUTCString() });
    const o = clockOffset([at(1_000_000), at(1_000_250), at(1_000_500), at(1_000_750)])!;
    expect(o.lo).toBeLessThanOrEqual(300);
    expect(o.hi).toBeGreaterThanOrEqual(300);
    expect(o.hi - o.lo).toBeLessThanOrEqual(270);
  });

  it("formats a table for people and JSON for machines", () => {
    const r = diagnose(load("wrong-address-leader"));
    const text = formatDoctor(r);
    expect(text).toMatch(/^pgchaos doctor: cluster pgchaos-\S+ \(namespace \/service\/\)/);
    expect(text).toMatch(/\n {2}pg1 +replica +http:\/\/pg2:8008\/patroni +pg2 \(primary\) /);
    expect(text).toMatch(/\nFindings \(4\)\n {2}ERROR {3}api-url-mismatch/);
    const json = JSON.parse(doctorJson(r, false));
    expect(json.exitCode).toBe(1);
    expect(json.snapshot).toBeUndefined();
    expect(JSON.parse(doctorJson(r, true)).snapshot.version).toBe(1);
  });
});

describe("--resolve", () => {
  it("maps host:port pairs and whole hosts", () => {
    const m = parseResolve(["pg1:8008=127.0.0.1:32770", "pg2=10.0.0.5", "PG3:5432=[::1]:5433"]);
    expect(m.route("pg1", 8008)).toEqual({ host: "127.0.0.1", port: 32770, mapped: true });
    expect(m.route("pg1", 5432)).toEqual({ host: "pg1", port: 5432, mapped: false });
    expect(m.route("pg2", 5432)).toEqual({ host: "10.0.0.5", port: 5432, mapped: true });
    expect(m.route("pg3", 5432)).toEqual({ host: "::1", port: 5433, mapped: true });
    expect(m.addressOf("pg2")).toBe("10.0.0.5");
    expect(m.addressOf("pg1")).toBeUndefined();
    expect(routeUrl(m, "http://pg1:8008/patroni", 80)).toEqual({ url: "http://127.0.0.1:32770/patroni", mapped: true });
    expect(() => parseResolve(["pg1=127.0.0.1:5"])).toThrow(/port on both sides/);
    expect(() => parseResolve(["nonsense"])).toThrow(/expected NAME:PORT=HOST:PORT or NAME=HOST/);
  });
});
