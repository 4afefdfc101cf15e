import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import type { DcsSample, HistoryEvent, NodeSample, ProbeEvent } from "../history/events.js";
import { evaluateCondition, probesFor, type ConditionContext } from "./registry.js";

const node = (t: number, n: string, o: Partial<NodeSample>): NodeSample => ({ kind: "node", t, node: n, restUp: true, pgUp: true, latencyMs: 5, ...o });
const dcs = (t: number, o: Partial<DcsSample>): DcsSample => ({ kind: "dcs", t, reachable: true, leader: null, members: ["pg1", "pg2", "pg3"], etcdHealth: { e1: true, e2: true, e3: true }, ...o });
const ref = (name: string) => ({ type: "node" as const, text: name, name, nodeKind: "patroni" as const });

// pg1 leads, then the DCS becomes unreadable (t 1000..2000), pg2 takes over at 2500.
const events: HistoryEvent[] = [
  dcs(0, { leader: "pg1" }),
  node(0, "pg1", { role: "primary", writable: true, receivedLsn: 5_000_000, timeline: 1 }),
  node(0, "pg2", { role: "replica", writable: false, streaming: true, replayedLsn: 4_000_000 }),
  node(0, "pg3", { role: "replica", writable: false, streaming: true, replayedLsn: 5_000_000 }),
  dcs(1000, { reachable: false, error: "etcd range 503" }),
  node(1500, "pg1", { role: "replica", writable: false, restUp: true }),
  dcs(2500, { leader: "pg2", members: ["pg2", "pg3"] }),
  node(2600, "pg1", { restUp: false, pgUp: true, writable: true }),
  node(2600, "pg2", { role: "primary", writable: true, receivedLsn: 6_000_000 }),
  node(2600, "pg3", { role: "replica", streaming: false, replayedLsn: 5_000_000, writable: false }),
  { kind: "log", t: 1200, node: "pg1", line: "2026-11-22 02:47:27,752 INFO: demoting self because DCS is not accessible and I was a leader" },
  { kind: "probe", t: 2700, key: "rest:pg2:/primary", node: "pg2", ok: true, status: 200, value: { failsafe_mode_is_active: true, xlog: { location: 6 } } },
];
const history = History.from(events);

function ctx(since: number, now: number): ConditionContext {
  return {
    history,
    since,
    now,
    resolve: (r) => (r as unknown as { name: string }).name,
    stepStart: (id) => (id === "outage" ? 1000 : undefined),
    patroniNodes: ["pg1", "pg2", "pg3"],
    etcdNodes: ["e1", "e2", "e3"],
  };
}

describe("conditions judge the recorded history", () => {
  it("leader: only samples that could read the DCS count, and only those since the step began", () => {
    expect(evaluateCondition({ type: "leader", exists: true } as never, ctx(0, 500)).ok).toBe(true);
    const unreadable = evaluateCondition({ type: "leader", exists: false } as never, ctx(1000, 2000));
    expect(unreadable).toMatchObject({ ok: false });
    expect(unreadable.detail).toMatch(/DCS not readable since the step began.*503/);
    expect(evaluateCondition({ type: "leader", is: ref("pg2") } as never, ctx(2000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ type: "leader", not: ref("pg1") } as never, ctx(2000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ type: "leader", is: ref("pg1") } as never, ctx(2000, 3000)).detail).toMatch(/held by pg2/);
  });

  it("no_leader_change sees a change across the window and ignores unreadable samples", () => {
    const r = evaluateCondition({ type: "no_leader_change" } as never, ctx(0, 3000));
    expect(r.ok).toBe(false);
    expect(r.detail).toBe("leader changed from pg1 to pg2 at +2.5s");
    expect(evaluateCondition({ type: "no_leader_change" } as never, ctx(500, 2000)).ok).toBe(true);
  });

  it("role reports down when the REST API does not answer; writable reads PostgreSQL's own answer", () => {
    expect(evaluateCondition({ type: "role", node: ref("pg1"), is: "down" } as never, ctx(2000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ type: "writable", node: ref("pg1"), is: true } as never, ctx(2000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ type: "writable", node: ref("pg1"), is: false } as never, ctx(1000, 2000)).ok).toBe(true);
    expect(evaluateCondition({ type: "role", node: ref("pg3"), is: "replica" } as never, ctx(2700, 3000)).detail).toMatch(/no pg3 sample since/);
  });

  it("incident 1's symptom: writable while the member key is missing", () => {
    const r = evaluateCondition({ type: "member_missing_while_writable", node: ref("pg1") } as never, ctx(2000, 3000));
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/member key missing.*PostgreSQL writable/);
    expect(evaluateCondition({ type: "member", node: ref("pg1"), in_dcs: false } as never, ctx(2000, 3000)).ok).toBe(true);
  });

  it("streaming and lag are judged against the primary of the moment", () => {
    expect(evaluateCondition({ type: "streaming", node: "all" } as never, ctx(0, 500))).toMatchObject({ ok: true });
    const later = evaluateCondition({ type: "streaming", node: "all" } as never, ctx(2000, 3000));
    expect(later.ok).toBe(false);
    expect(later.detail).toMatch(/pg3 not streaming/);
    const lag = evaluateCondition({ type: "lag", node: "all", below: 1_500_000 } as never, ctx(0, 500));
    expect(lag.ok).toBe(true);
    expect(lag.detail).toBe("pg2 lag 1000000 B; pg3 lag 0 B (primary pg1)");
    expect(evaluateCondition({ type: "lag", node: ref("pg2"), below: 1_000_000 } as never, ctx(0, 500)).ok).toBe(false);
  });

  it("log lines match since a step; probes are requested and then read from the record", () => {
    expect(evaluateCondition({ type: "log", node: ref("pg1"), matches: "demoting self", since: "outage" } as never, ctx(1000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ type: "log", node: ref("pg2"), matches: "demoting self" } as never, ctx(0, 3000)).ok).toBe(false);
    const rest = { type: "rest", node: ref("pg2"), path: "/primary", field: "failsafe_mode_is_active", equals: true };
    expect(probesFor(rest, ctx(2000, 3000))).toEqual([{ key: "rest:pg2:/primary", node: "pg2", kind: "rest", what: "/primary" }]);
    expect(evaluateCondition(rest as never, ctx(2000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ ...rest, equals: undefined, not: true } as never, ctx(2000, 3000)).ok).toBe(false);
    expect(evaluateCondition({ ...rest, field: "xlog.location", equals: 6 } as never, ctx(2000, 3000)).ok).toBe(true);
    // A probe older than the window does not count.
    expect(evaluateCondition(rest as never, ctx(2800, 3000)).ok).toBe(false);
  });

  it("a probe that failed while pgchaos stalled is no answer: the newest known one counts", () => {
    const sqlCond = { type: "sql", node: ref("pg2"), query: "select 1", equals: 1 };
    const probe = (t: number, extra: { ok: boolean } & Partial<ProbeEvent>): ProbeEvent => ({ kind: "probe", t, key: "sql:pg2:select 1", node: "pg2", ...extra });
    const h = History.from([probe(100, { ok: true, value: 1 }), probe(300, { ok: false, error: "timeout expired", unknown: true, stallMs: 400 })]);
    const at = (since: number) => ({ ...ctx(since, 500), history: h });
    expect(evaluateCondition(sqlCond as never, at(0))).toMatchObject({ ok: true });
    // Only the unknown one in the window: pending, which neither passes nor breaks a window.
    expect(evaluateCondition(sqlCond as never, at(200))).toMatchObject({ ok: false, pending: true });
    // A failure pgchaos did not cause itself is an answer.
    const down = History.from([probe(100, { ok: true, value: 1 }), probe(300, { ok: false, error: "ECONNREFUSED" })]);
    expect(evaluateCondition(sqlCond as never, { ...ctx(0, 500), history: down })).toMatchObject({ ok: false, detail: "pg2: ECONNREFUSED" });
  });

  it("etcd_healthy counts healthy members in the newest sample", () => {
    expect(evaluateCondition({ type: "etcd_healthy", count: "all" } as never, ctx(2000, 3000)).ok).toBe(true);
    expect(evaluateCondition({ type: "etcd_healthy", count: 4 } as never, ctx(2000, 3000)).ok).toBe(false);
  });
});

describe("pending: nothing to judge yet", () => {
  it("streaming, lag, role, member and leader wait for the window's first sample instead of failing a for-window", () => {
    const c = ctx(2700, 2750); // after every sample: nothing in the window yet
    for (const cond of [
      { type: "streaming", node: "all" },
      { type: "streaming", node: ref("pg2") },
      { type: "lag", node: "all", below: 1 },
      { type: "role", node: ref("pg1"), is: "primary" },
      { type: "member", node: ref("pg1"), in_dcs: true },
      { type: "leader", exists: true },
    ]) {
      const r = evaluateCondition(cond as never, c);
      expect({ type: cond.type, ok: r.ok, pending: r.pending }).toEqual({ type: cond.type, ok: false, pending: true });
    }
    // Only the replica sampled so far: the primary's first sample may still come.
    const early = History.from([
      node(0, "pg1", { role: "primary", writable: true, receivedLsn: 5_000_000 }),
      node(100, "pg2", { role: "replica", writable: false, streaming: true, replayedLsn: 5_000_000 }),
      node(300, "pg1", { role: "primary", writable: true, receivedLsn: 5_000_000 }),
      node(300, "pg3", { role: "replica", writable: false, streaming: true, replayedLsn: 5_000_000 }),
    ]);
    const lagAt = (now: number, h = early) => evaluateCondition({ type: "lag", node: ref("pg2"), below: 1_000_000 } as never, { ...ctx(50, now), history: h });
    expect(lagAt(200)).toMatchObject({ ok: false, pending: true });
    expect(lagAt(400)).toMatchObject({ ok: true });
    // Every node sampled and none writable: a real "no primary", not pending.
    const none = History.from([0, 1, 2].map((i) => node(100, `pg${i + 1}`, { role: "replica", writable: false, replayedLsn: 1 })));
    expect(lagAt(200, none).pending).toBeFalsy();
    expect(lagAt(200, none).detail).toBe("no primary to measure lag against");
    // The DCS could not be read in the window: an observation, not pending.
    const unreadable = evaluateCondition({ type: "leader", exists: true } as never, ctx(1000, 2000));
    expect(unreadable.pending).toBeUndefined();
  });
});
