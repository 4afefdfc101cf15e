import { describe, expect, it } from "vitest";
import { History } from "../../history/history.js";
import type { HistoryEvent } from "../../history/events.js";
import { evaluateCondition, type ConditionContext } from "../registry.js";

const ref = (name: string) => ({ type: "node" as const, text: name, name });
const events: HistoryEvent[] = [
  { kind: "dcs-endpoint", t: 0, node: "pg1", etcd: ["e1", "e3"], current: "e1", idleMs: { e1: 300, e3: 70_000 } },
  { kind: "dcs-endpoint", t: 500, node: "pg1", etcd: ["e3"], current: "e3", idleMs: { e3: 100 } },
  { kind: "dcs-endpoint", t: 1000, node: "pg1", etcd: ["e3"], current: "e3", idleMs: { e3: 600 } },
  { kind: "dcs-endpoint", t: 1000, node: "pg2", etcd: [] },
  { kind: "dcs-endpoint", t: 1200, node: "pg2", etcd: [], error: "pg2: 'python3' did not answer within 3000 ms" },
  { kind: "haproxy", t: 900, primary: ["pg1"], replicas: ["pg2", "pg3"] },
  { kind: "haproxy", t: 1100, primary: [], replicas: [], error: "fetch failed" },
];
const ctx = (since: number): ConditionContext => ({
  history: History.from(events),
  since,
  now: 1500,
  resolve: (r) => (r as unknown as { name: string }).name,
  stepStart: () => undefined,
  patroniNodes: ["pg1", "pg2", "pg3"],
  etcdNodes: ["e1", "e2", "e3"],
});

describe("dcs_endpoint and haproxy conditions", () => {
  it("dcs_endpoint: the node's current member, and since when", () => {
    const r = evaluateCondition({ type: "dcs_endpoint", node: ref("pg1"), is: ref("e3") } as never, ctx(0));
    expect(r).toEqual({ ok: true, detail: "pg1 talks to e3 (since +0.5s; idle: e3 0.6 s) at +1.0s" });
    expect(evaluateCondition({ type: "dcs_endpoint", node: ref("pg1"), not: ref("e3") } as never, ctx(0)).ok).toBe(false);
    // No connection satisfies `not`; samples that failed are ignored.
    const pg2 = evaluateCondition({ type: "dcs_endpoint", node: ref("pg2"), not: ref("e3") } as never, ctx(0));
    expect(pg2).toEqual({ ok: true, detail: "pg2 has no connection to etcd at +1.0s" });
    expect(evaluateCondition({ type: "dcs_endpoint", node: ref("pg1"), is: ref("e3") } as never, ctx(1200))).toEqual({ ok: false, pending: true, detail: "no pg1 DCS endpoint sample since the step began" });
  });

  it("haproxy: exactly the primary, a replica among those UP, or none; failed reads do not count", () => {
    expect(evaluateCondition({ type: "haproxy", primary: ref("pg1") } as never, ctx(0))).toEqual({
      ok: true,
      detail: "HAProxy routes primary → [pg1], replicas → [pg2, pg3] at +0.9s",
    });
    expect(evaluateCondition({ type: "haproxy", primary: "none" } as never, ctx(0)).ok).toBe(false);
    expect(evaluateCondition({ type: "haproxy", replica: ref("pg3") } as never, ctx(0)).ok).toBe(true);
    expect(evaluateCondition({ type: "haproxy", replica: ref("pg1") } as never, ctx(0)).ok).toBe(false);
    expect(evaluateCondition({ type: "haproxy", primary: "none" } as never, ctx(1000))).toEqual({ ok: false, pending: true, detail: "no HAProxy sample since the step began (fetch failed)" });
  });
});
