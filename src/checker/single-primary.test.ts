import { describe, expect, it } from "vitest";
import type { HistoryEvent, NodeSample } from "../history/events.js";
import {
  byT,
  type State,
  down,
  primary,
  primaryReadOnly,
  replica,
  samples,
  Workload,
  writableNoRest,
} from "../../test/fixtures/histories/builder.js";
import { cleanRun, splitBrain, switchover } from "../../test/fixtures/histories/scenarios.js";
import type { InterleavedAcksEvidence, OverlapEvidence, StoppingClaimEvidence } from "./checker.js";
import { singlePrimary, stoppingReason } from "./single-primary.js";

const check = (events: readonly HistoryEvent[], opts?: object) => singlePrimary().check(events, opts);
const ofType = <T>(v: { evidence: { type: string }[] }, type: string) => v.evidence.filter((e) => e.type === type) as T[];

describe("single-primary", () => {
  it("passes a clean run", () => {
    const v = check(cleanRun().events);
    expect(v.ok).toBe(true);
    expect(v.unknown).toBeUndefined();
    expect(v.checker).toBe("single-primary");
    expect(v.evidence).toEqual([]);
    expect(v.figures).toMatchObject({ nodes: 3, samples: 450, writableOverlaps: 0, roleOverlaps: 0, interleavedAckEpisodes: 0 });
  });

  it("does not flag a clean switchover, whatever the sampling phase", () => {
    const v = check(switchover().events);
    expect(v.ok).toBe(true);
    expect(v.figures!.writableOverlaps).toBe(0);
  });

  it("finds the documented split brain: two nodes promoted onto the same timeline", () => {
    const v = check(splitBrain().events);
    expect(v.ok).toBe(false);
    expect(v.summary).toMatch(/^split brain: pg2 and pg3 both writable for 2\.5 s from \+40\.3s/);
    const [w, ...more] = ofType<OverlapEvidence>(v, "writable-overlap");
    expect(more).toHaveLength(0);
    expect(w).toMatchObject({
      severity: "split-brain",
      basis: "node-samples",
      nodes: ["pg2", "pg3"],
      start: 40340, // pg3's first writable sample
      end: 42870, // pg2's last writable sample before its demotion at 43.0 s
      durationMs: 2530,
      timelines: { pg2: [3], pg3: [3] },
      sameTimeline: true,
      bothClaimedPrimary: true,
      runs: { pg2: { first: 40270, last: 42870, samples: 14 }, pg3: { first: 40340, last: 51940, samples: 59 } },
    });
    expect(w.message).toContain("same timeline");
    // The role overlap coincides with the writable one: not reported separately.
    expect(ofType(v, "role-overlap")).toHaveLength(0);

    const il = ofType<InterleavedAcksEvidence>(v, "interleaved-acks");
    expect(il.map((x) => [x.bracketing, x.interleaved, x.seqs, x.count])).toEqual([
      ["pg2", "pg3", "406-411", 6],
      ["pg3", "pg2", "412-420", 9],
    ]);
    expect(il[0]).toMatchObject({ basis: "workload", severity: "split-brain", before: { seq: 405, ackedAt: 41410 }, after: { seq: 412, invokedAt: 42100 } });
    expect(v.figures).toMatchObject({ writableOverlaps: 1, longestWritableOverlapMs: 2530, interleavedAckEpisodes: 2, interleavedAckedWrites: 15 });
  });

  it("reports two role claims without two writable nodes as a role conflict, not split brain", () => {
    const events = byT([
      ...samples("pg1", 0, 10000, primary(1)),
      // pg2 says primary but PostgreSQL is still read-only from 5.07 s to 6.07 s.
      ...samples("pg2", 70, 10000, (t) => (t >= 5000 && t < 6100 ? primaryReadOnly(1) : replica(1))),
    ]);
    const v = check(events);
    expect(v.ok).toBe(false);
    expect(ofType(v, "writable-overlap")).toHaveLength(0);
    const [r] = ofType<OverlapEvidence>(v, "role-overlap");
    expect(r).toMatchObject({ severity: "role-conflict", nodes: ["pg1", "pg2"], start: 5070, end: 6070, durationMs: 1000 });
    expect(v.summary).toBe("role conflict: pg1 and pg2 both reported role primary for 1.0 s from +5.1s");
  });

  it("counts a node writable while its REST API is down (Patroni dead, PostgreSQL alive)", () => {
    const events = byT([
      ...samples("pg1", 0, 10000, (t) => (t < 3000 ? primary(1) : writableNoRest(1))),
      ...samples("pg2", 100, 10000, (t) => (t < 6000 ? replica(1) : primary(2))),
    ]);
    const v = check(events);
    expect(v.ok).toBe(false);
    const [w] = ofType<OverlapEvidence>(v, "writable-overlap");
    expect(w).toMatchObject({ start: 6100, end: 9800, bothClaimedPrimary: false, timelines: { pg1: [1], pg2: [2] }, sameTimeline: false });
  });

  it("ends a run at a sampling gap longer than maxSampleGapMs", () => {
    const pg2: NodeSample[] = [
      { kind: "node", t: 1000, node: "pg2", latencyMs: 1, ...primary(2) },
      // no sample of pg2 for 4 s
      { kind: "node", t: 5000, node: "pg2", latencyMs: 1, ...primary(2) },
    ];
    const events = byT([...samples("pg1", 2000, 4100, primary(1)), ...pg2]);
    expect(check(events).ok).toBe(true);
    const loose = check(events, { maxSampleGapMs: 10000 });
    expect(loose.ok).toBe(false);
    expect(ofType<OverlapEvidence>(loose, "writable-overlap")[0]).toMatchObject({ start: 2000, end: 4000 });
    // Options given to the factory are defaults that check() options override.
    expect(singlePrimary({ maxSampleGapMs: 10000 }).check(events).ok).toBe(false);
    expect(singlePrimary({ maxSampleGapMs: 10000 }).check(events, { maxSampleGapMs: 2000 }).ok).toBe(true);
  });

  it("reports a single-instant overlap (one writable sample inside another node's run, duplicated)", () => {
    const events = byT([
      ...samples("pg1", 0, 3000, primary(1)),
      ...samples("pg2", 100, 3000, (t) => (t === 1500 ? primary(1) : replica(1))),
      { kind: "node", t: 1500, node: "pg2", latencyMs: 1, ...primary(1) } as NodeSample,
    ]);
    const v = check(events);
    const w = ofType<OverlapEvidence>(v, "writable-overlap");
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ start: 1500, end: 1500, durationMs: 0, sameTimeline: true });
  });

  it("proves two primaries from interleaved acknowledged writes alone", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 1000, node: "pg1" }); // seqs 1-10
    wl.add({ from: 1000, to: 1500, node: "pg2" }); // 11-15
    wl.add({ from: 1500, to: 2000, node: "pg1" }); // 16-20
    const v = check(wl.ops);
    expect(v.ok).toBe(false);
    const il = ofType<InterleavedAcksEvidence>(v, "interleaved-acks");
    // pg1 brackets pg2's 11-15; pg2 brackets nothing (no pg2 ack after pg1's 16-20).
    expect(il).toHaveLength(1);
    expect(il[0]).toMatchObject({
      bracketing: "pg1",
      interleaved: "pg2",
      seqs: "11-15",
      count: 5,
      start: 1000,
      end: 1410,
      before: { seq: 10, ackedAt: 910 },
      after: { seq: 16, invokedAt: 1500, ackedAt: 1510 },
    });
    expect(v.summary).toBe(
      "split brain: acknowledged writes interleaved between pg1 and pg2 from +1.0s (5 writes in 1 episode) (no node samples: workload evidence only)",
    );
    expect(v.summary).toContain("(no node samples: workload evidence only)");
  });

  it("does not take a failback (node seen in recovery in between) as interleaving", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 1000, node: "pg1" });
    wl.add({ from: 5000, to: 6000, node: "pg2" });
    wl.add({ from: 12000, to: 13000, node: "pg1" });
    const events = byT([
      ...samples("pg1", 0, 14000, (t) => (t <= 1000 ? primary(1) : t < 3000 ? down : t < 11000 ? replica(2) : primary(3))),
      ...samples("pg2", 100, 14000, (t) => (t < 4000 ? replica(1) : t <= 7000 ? primary(2) : t < 9000 ? down : replica(3))),
      ...wl.ops,
    ]);
    const v = check(events);
    expect(ofType(v, "interleaved-acks")).toHaveLength(0);
    expect(v.ok).toBe(true);
  });

  it("a switchover there and back with no sample of the node in between: its new timeline explains it", () => {
    // Recorded on sid (Patroni 4.1.5) at load 13: pg2 led on timeline 2, switched over to pg3
    // (timeline 3), no sample of pg2 answered while it was a replica, then pg2 led again on 4.
    const wl = new Workload();
    wl.add({ from: 0, to: 1000, node: "pg2" });
    wl.add({ from: 5000, to: 6000, node: "pg3" });
    wl.add({ from: 12000, to: 13000, node: "pg2" });
    const events = byT([
      ...samples("pg2", 0, 14000, (t) => (t <= 1000 ? primary(2) : t < 11000 ? down : primary(4))),
      ...samples("pg3", 100, 14000, (t) => (t < 4000 ? replica(2) : t <= 7000 ? primary(3) : replica(4))),
      ...wl.ops,
    ]).filter((e) => !(e.kind === "node" && (e as NodeSample).node === "pg2" && e.t > 1000 && e.t < 11000));
    const v = check(events);
    expect(ofType(v, "interleaved-acks")).toHaveLength(0);
    expect(v.ok).toBe(true);
    // The same writes without the timeline change are still two primaries.
    const same = events.map((e) => (e.kind === "node" && (e as NodeSample).timeline === 4 && (e as NodeSample).node === "pg2" ? { ...e, timeline: 2 } : e));
    expect(ofType(check(same), "interleaved-acks")).toHaveLength(1);
  });

  it("overlaps only at concurrent sample times when three nodes are involved", () => {
    const events = byT([
      ...samples("pg1", 0, 4000, primary(1)),
      ...samples("pg2", 50, 4000, (t) => (t >= 1000 && t < 2000 ? primary(2) : replica(1))),
      ...samples("pg3", 150, 4000, (t) => (t >= 3000 ? primary(2) : replica(1))),
    ]);
    const v = check(events);
    const w = ofType<OverlapEvidence>(v, "writable-overlap");
    expect(w.map((x) => [x.nodes.join("+"), x.start, x.end])).toEqual([
      ["pg1+pg2", 1050, 1850],
      ["pg1+pg3", 3150, 3800],
    ]);
    expect(v.figures!.writableOverlapMs).toBe(800 + 650);
  });

  it("is unknown without samples and writes", () => {
    const v = check([{ kind: "note", t: 0, text: "cluster ready" }]);
    expect(v).toMatchObject({ ok: false, unknown: true });
    expect(v.summary).toBe("no node samples and no writes recorded: cannot judge");
  });

  it("accepts events in any order", () => {
    const events = splitBrain().events;
    const shuffled = [...events].reverse();
    expect(check(shuffled)).toEqual(check(events));
  });
});

describe("single-primary: a primary claim from a node whose PostgreSQL is shutting down", () => {
  // Patroni 4.0.7/4.1.5, the leader pg1 cut from every other node at 10 s: it demotes at 20 s
  // and its PostgreSQL spends 16 s shutting down (walsenders cannot reach the replicas), its
  // REST API answering role primary, state stopping, every connection refused. pg3 is promoted
  // at 33.5 s; pg1's PostgreSQL is down at 36 s.
  const stopping: State = { restUp: true, role: "primary", state: "stopping", timeline: 1, pgUp: false, error: "pg: the database system is shutting down" };
  const stopped: State = { restUp: true, role: "demoted", state: "stopped", timeline: 1, pgUp: false, error: "pg: connect ECONNREFUSED 172.18.0.3:5432" };
  const pg1 = (t: number): State => (t < 20_000 ? primary(1) : t < 36_000 ? stopping : stopped);
  const history = (pg1State: (t: number) => State = pg1) =>
    byT([
      ...samples("pg1", 0, 40_000, pg1State),
      ...samples("pg2", 60, 40_000, replica(1)),
      ...samples("pg3", 130, 40_000, (t) => (t < 33_500 ? replica(1) : primary(2))),
    ]);

  it("does not count it as a second primary, and shows it as a note", () => {
    const v = check(history());
    expect(v.ok).toBe(true);
    expect(ofType(v, "role-overlap")).toHaveLength(0);
    const [n, ...more] = ofType<StoppingClaimEvidence>(v, "stopping-claim");
    expect(more).toHaveLength(0);
    expect(n).toMatchObject({
      severity: "note",
      node: "pg1",
      primary: "pg3",
      nodes: ["pg1", "pg3"],
      start: 33_530, // pg3's first primary sample
      end: 35_800, // pg1's last stopping sample
      durationMs: 2270,
      reasons: ["Patroni state stopping, PostgreSQL: the database system is shutting down"],
    });
    expect(n.message).toMatch(/^pg1 reported role primary while shutting down .* while pg3 claimed primary: not counted as a second primary/);
    expect(v.summary).toContain("; pg1 still reported role primary while shutting down, beside pg3 for 2.3 s from +33.5s (not counted: it could not accept a write)");
    expect(v.figures).toMatchObject({ roleOverlaps: 0, stoppingClaimOverlaps: 1 });
  });

  it("either sign is enough: REST state stopping, or PostgreSQL refusing with 'shutting down'", () => {
    const restOnly = check(history((t) => (t >= 20_000 && t < 36_000 ? { ...stopping, error: "pg: Client has encountered a connection error and is not queryable" } : pg1(t))));
    expect(restOnly.ok).toBe(true);
    const pgOnly = check(history((t) => (t >= 20_000 && t < 36_000 ? { ...stopping, state: "running" } : pg1(t))));
    expect(pgOnly.ok).toBe(true);
    expect(ofType<StoppingClaimEvidence>(pgOnly, "stopping-claim")[0].reasons).toEqual(["PostgreSQL: the database system is shutting down"]);
    expect(stoppingReason({ kind: "node", t: 0, node: "pg1", latencyMs: 1, ...stopping, error: "rest: timeout; pg: the database system is shutting down" })).toBe(
      "Patroni state stopping, PostgreSQL: the database system is shutting down",
    );
  });

  it("still counts a claim that could be a primary: PostgreSQL not answering for another reason", () => {
    const v = check(history((t) => (t >= 20_000 && t < 36_000 ? { ...stopping, state: "running", error: "pg: query timed out after 1000 ms" } : pg1(t))));
    expect(v.ok).toBe(false);
    expect(ofType<OverlapEvidence>(v, "role-overlap")[0]).toMatchObject({ nodes: ["pg1", "pg3"], start: 33_530, end: 35_800 });
  });

  it("a stopping node whose PostgreSQL answered writable is writable whatever REST says", () => {
    const v = check(history((t) => (t >= 20_000 && t < 36_000 ? { ...primary(1), state: "stopping" } : pg1(t))));
    expect(v.ok).toBe(false);
    expect(ofType<OverlapEvidence>(v, "writable-overlap")[0]).toMatchObject({ nodes: ["pg1", "pg3"], start: 33_530, end: 35_800, bothClaimedPrimary: true });
    expect(ofType(v, "stopping-claim")).toHaveLength(0);
  });

  it("a stopping node that acknowledged a write then is a primary until that acknowledgement", () => {
    const wl = new Workload();
    wl.add({ from: 34_000, to: 34_001, duration: 50, node: "pg1" }); // acked at 34.05 s
    const v = check(byT([...history(), ...wl.ops]));
    expect(v.ok).toBe(false);
    const [r] = ofType<OverlapEvidence>(v, "role-overlap");
    expect(r).toMatchObject({ severity: "role-conflict", nodes: ["pg1", "pg3"], start: 33_530, end: 34_000 });
    // Its claims after the acknowledgement are shown as a note, not counted.
    expect(ofType<StoppingClaimEvidence>(v, "stopping-claim")).toMatchObject([{ node: "pg1", start: 34_200, end: 35_800 }]);
    // An acknowledgement before it was seen stopping changes nothing.
    const before = new Workload();
    before.add({ from: 19_000, to: 19_001, duration: 900, node: "pg1" });
    expect(check(byT([...history(), ...before.ops])).ok).toBe(true);
  });
});

describe("single-primary with HAProxy writes", () => {
  it("does not take writes through HAProxy interleaved with direct writes as two primaries", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 1000, node: "pg1" });
    wl.add({ from: 1000, to: 1500, node: "haproxy", via: "haproxy" });
    wl.add({ from: 1500, to: 2000, node: "pg1" });
    const v = singlePrimary().check([...samples("pg1", 0, 2000, primary(1)), ...wl.ops]);
    expect(v.ok).toBe(true);
    expect(v.figures!.interleavedAckEpisodes).toBe(0);
  });
});
