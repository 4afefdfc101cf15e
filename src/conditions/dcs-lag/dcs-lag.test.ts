import { describe, expect, it } from "vitest";
import { History } from "../../history/history.js";
import type { DcsSample } from "../../history/events.js";
import { evaluateCondition, type ConditionContext } from "../registry.js";

const dcs = (t: number, lag: Record<string, number> | undefined, leader = "pg2"): DcsSample => ({
  kind: "dcs",
  t,
  reachable: true,
  leader,
  members: ["pg1", "pg2", "pg3"],
  etcdHealth: {},
  dcsLagBytes: lag,
});
const ref = (name: string) => ({ type: "node" as const, text: name, name, nodeKind: "patroni" as const });
// pg1's column stays 0 while pg3's grows past 1 MB at t=3000; pg1 holds the leader key at 5000.
const history = History.from([dcs(1000, { pg1: 0, pg3: 10 }), dcs(2000, { pg1: 0, pg3: 500_000 }), dcs(3000, { pg1: 0, pg3: 2_000_000 }), dcs(5000, { pg2: 0, pg3: 0 }, "pg1")]);
const ctx = (since: number, now: number): ConditionContext => ({
  history,
  since,
  now,
  resolve: (r) => (r as unknown as { name: string }).name,
  stepStart: (id) => ({ start: 0, burst: 2500 })[id],
  patroniNodes: ["pg1", "pg2", "pg3"],
  etcdNodes: [],
});
const c = (node: string | "all", below: number, since?: string) => ({ type: "dcs_lag", node: node === "all" ? "all" : ref(node), below, ...(since ? { since } : {}) }) as never;

describe("dcs_lag: the lag column patronictl shows", () => {
  it("judges the newest DCS sample since the step began", () => {
    expect(evaluateCondition(c("pg1", 1), ctx(2500, 3500))).toEqual({ ok: true, detail: "DCS lag column: pg1 0 B (DCS at +3.0s)" });
    expect(evaluateCondition(c("pg3", 1 << 20), ctx(2500, 3500)).ok).toBe(false);
    expect(evaluateCondition(c("pg3", 1 << 20), ctx(1500, 2500)).ok).toBe(true);
    expect(evaluateCondition(c("pg1", 1), ctx(3500, 4000))).toMatchObject({ ok: false, pending: true, detail: "no DCS sample since the step began" });
  });

  it("with since: every sample since that step, as a maximum", () => {
    expect(evaluateCondition(c("pg3", 1 << 20, "start"), ctx(4000, 4500))).toEqual({
      ok: false,
      detail: "DCS lag column: pg3 2000000 B (max over 3 DCS samples since +0.0s)",
    });
    expect(evaluateCondition(c("all", 3_000_000, "burst"), ctx(4000, 4500)).ok).toBe(true);
    expect(evaluateCondition(c("pg1", 1, "nope"), ctx(4000, 4500))).toMatchObject({ ok: false, detail: "since: step 'nope' has not started" });
  });

  it("a node holding the leader key has no lag value and does not pass", () => {
    const r = evaluateCondition(c("pg1", 1 << 20), ctx(4500, 5500));
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/pg1 held the leader key/);
    expect(evaluateCondition(c("all", 1), ctx(4500, 5500))).toMatchObject({ ok: true, detail: "DCS lag column: pg2 0 B; pg3 0 B (DCS at +5.0s)" });
  });
});

describe("dcs_lag above", () => {
  it("holds when every judged sample is above the size", () => {
    const above = (node: string, size: number, since?: string) => ({ type: "dcs_lag", node: ref(node), above: size, ...(since ? { since } : {}) }) as never;
    expect(evaluateCondition(above("pg3", 1 << 20), ctx(2500, 3500))).toEqual({ ok: true, detail: "DCS lag column: pg3 2000000 B (DCS at +3.0s)" });
    expect(evaluateCondition(above("pg3", 100, "start"), ctx(4000, 4500))).toEqual({ ok: false, detail: "DCS lag column: pg3 10 B (min over 3 DCS samples since +0.0s)" });
  });
});
