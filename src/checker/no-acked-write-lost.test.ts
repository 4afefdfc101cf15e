import { describe, expect, it } from "vitest";
import { down, finalRead, primary, replica, samples, Workload } from "../../test/fixtures/histories/builder.js";
import { cleanRun, splitBrain } from "../../test/fixtures/histories/scenarios.js";
import type { GhostWriteEvidence, LossEpisodeEvidence, LostWriteEvidence, LostWritesEvidence } from "./checker.js";
import type { HistoryEvent, NodeSample } from "../history/events.js";
import type { ReplicationSettings } from "../scenario/replication.js";
import { noAckedWriteLost } from "./no-acked-write-lost.js";
import { judge } from "../runner/judge.js";

const NAME = "no-acked-write-lost";

const check = noAckedWriteLost().check;

/** pg1 acknowledges 1-10; failover to pg2, which lacks 8-10 (they were not replicated); 11-20 on pg2. */
function asyncFailover() {
  const wl = new Workload();
  wl.add({ from: 0, to: 1000, node: "pg1" });
  wl.add({ from: 5000, to: 6000, node: "pg2" });
  const seqs = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  return { wl, seqs };
}

describe("no-acked-write-lost", () => {
  it("passes when every acknowledged write is on the final primary", () => {
    const v = check(cleanRun().events);
    expect(v.ok).toBe(true);
    expect(v.summary).toBe("all 280 acknowledged writes present on the final primary pg1; 0 indeterminate (0 present, 0 absent)");
    expect(v.figures).toMatchObject({ acked: 280, lost: 0, ghost: 0, finalReadSeqs: 280 });
  });

  it("reports lost writes with who acknowledged them, when, and where they survive", () => {
    const { wl, seqs } = asyncFailover();
    const events = [
      ...wl.ops,
      finalRead(7000, "pg2", true, [...seqs(1, 7), ...seqs(11, 20)]),
      finalRead(7100, "pg1", false, seqs(1, 10)),
    ];
    const v = check(events);
    expect(v.ok).toBe(false);
    expect(v.summary).toBe("3 of 20 acknowledged writes lost on pg2 (8-10); 0 indeterminate (0 present, 0 absent)");
    const [group] = v.evidence.filter((e) => e.type === "lost-writes") as LostWritesEvidence[];
    expect(group).toMatchObject({ node: "pg2", seqs: "8-10", count: 3 });
    const items = v.evidence.filter((e) => e.type === "lost-write") as LostWriteEvidence[];
    expect(items.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect(items[0]).toMatchObject({ node: "pg1", via: "direct", invokedAt: 700, completedAt: 710, presentOn: ["pg1"] });
    expect(items[0].message).toBe("Write 8 was acknowledged by pg1 at +0.7s (invoked +0.7s) and is missing on pg2; still present on pg1.");
    expect(v.figures).toMatchObject({ acked: 20, lost: 3 });
  });

  it("finds the writes lost in the documented split brain", () => {
    const v = check(splitBrain().events);
    expect(v.ok).toBe(false);
    expect(v.figures).toMatchObject({ lost: 20, unknownPresent: 1, unknownAbsent: 0, ghost: 0 });
    const lost = v.evidence.filter((e) => e.type === "lost-write") as LostWriteEvidence[];
    expect(new Set(lost.map((e) => e.node))).toEqual(new Set(["pg2"]));
    expect((v.evidence.find((e) => e.type === "lost-writes") as LostWritesEvidence).seqs).toBe("395-405,412-420");
  });

  it("fails on ghost writes (reported failed, yet committed)", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 500, node: "pg1" }); // 1-5 ok
    wl.add({ from: 500, to: 700, node: "pg1", outcome: "fail", error: "could not serialize access" }); // 6-7
    const v = check([...wl.ops, finalRead(1000, "pg1", true, [1, 2, 3, 4, 5, 6])]);
    expect(v.ok).toBe(false);
    expect(v.summary).toBe("1 ghost write (reported failed, yet committed: 6); 0 indeterminate (0 present, 0 absent)");
    const [g] = v.evidence.filter((e) => e.type === "ghost-write") as GhostWriteEvidence[];
    expect(g).toMatchObject({ seq: 6, node: "pg1", error: "could not serialize access", invokedAt: 500, completedAt: 510 });
    expect(v.figures).toMatchObject({ ghost: 1, failed: 2, lost: 0 });
  });

  it("counts unknown outcomes as indeterminate either way", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 300, node: "pg1" }); // 1-3
    wl.add({ from: 300, to: 600, node: "pg1", outcome: "unknown" }); // 4-6
    const v = check([...wl.ops, finalRead(1000, "pg1", true, [1, 2, 3, 5])]);
    expect(v.ok).toBe(true);
    expect(v.figures).toMatchObject({ unknown: 3, unknownPresent: 1, unknownAbsent: 2 });
    expect(v.summary).toBe("all 3 acknowledged writes present on the final primary pg1; 3 indeterminate (1 present, 2 absent)");
  });

  it("is unknown without a final read on the primary", () => {
    const { wl, seqs } = asyncFailover();
    const v = check([...wl.ops, finalRead(7100, "pg1", false, seqs(1, 10))]);
    expect(v).toMatchObject({ ok: false, unknown: true, summary: "no final read" });
    expect(v.evidence.map((e) => e.type)).toEqual(["note", "final-read"]);
    expect(check(wl.ops).summary).toBe("no final read");
  });

  it("is unknown when the final read on the primary failed", () => {
    const { wl } = asyncFailover();
    const v = check([...wl.ops, finalRead(7000, "pg2", true, [], "connection refused")]);
    expect(v).toMatchObject({ ok: false, unknown: true, summary: "final read on pg2 failed: connection refused" });
  });

  it("uses the latest primary final read and counts unexpected seqs", () => {
    const { wl, seqs } = asyncFailover();
    const v = check([
      ...wl.ops,
      finalRead(6500, "pg1", true, seqs(1, 5)),
      finalRead(7000, "pg2", true, [...seqs(1, 20), 99, 100]),
    ]);
    expect(v.ok).toBe(true);
    expect(v.figures).toMatchObject({ unexpected: 2, finalReadSeqs: 22 });
    expect(v.evidence.some((e) => e.message.includes("never attempted by this run's workload: 99-100"))).toBe(true);
  });

  it("caps per-seq evidence at maxItems", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 10000, node: "pg1" }); // 1-100
    const v = noAckedWriteLost({ maxItems: 5 }).check([...wl.ops, finalRead(20000, "pg2", true, [1])]);
    expect(v.evidence.filter((e) => e.type === "lost-write")).toHaveLength(5);
    expect(v.evidence.find((e) => e.type === "note")!.message).toBe("94 more lost writes not itemised.");
    expect(v.summary.startsWith("99 of 100 acknowledged writes lost on pg2 (2-100)")).toBe(true);
  });
});

/**
 * An asynchronous failover with node samples: pg1 (primary, timeline 1) writes 100 bytes of WAL
 * per ms from position 1 000 000; pg2's replication stops at +1.0 s (position 1 100 000), pg1
 * acknowledges writes 1-45 until +4.41 s and is seen writable until +4.8 s (position 1 460 000 at
 * +4.6 s, the first sample after the last acknowledgement), then dies; pg2 is promoted at +15 s.
 * Writes 11-45 (acknowledged after +1.0 s) are lost: 360 000 bytes of WAL.
 */
function measuredFailover(o: { pg1Until?: number; pg2PromotedAt?: number; pg1AcksUntil?: number } = {}) {
  const pos = (t: number) => 1_000_000 + t * 100;
  const pg1Until = o.pg1Until ?? 5000;
  const promotedAt = o.pg2PromotedAt ?? 15_000;
  const wl = new Workload();
  const acksUntil = o.pg1AcksUntil ?? 4500;
  wl.add({ from: 0, to: acksUntil, node: "pg1" });
  if (acksUntil < pg1Until) wl.add({ from: acksUntil, to: pg1Until, node: "pg1", outcome: "fail", error: "connection refused" });
  wl.add({ from: Math.max(promotedAt, pg1Until), to: Math.max(promotedAt, pg1Until) + 5000, node: "pg2" });
  const onPg2 = wl.seqs((w) => w.outcome === "ok" && (w.node === "pg2" || w.tEnd <= 1000));
  const events: HistoryEvent[] = [
    ...samples("pg1", 0, 25_000, (t) => (t < pg1Until ? { ...primary(1), receivedLsn: pos(t) } : down)),
    ...samples("pg2", 0, 25_000, (t) =>
      t < promotedAt
        ? { ...replica(1), streaming: t < 1000, receivedLsn: Math.min(pos(t), pos(1000)), replayedLsn: Math.min(pos(t), pos(1000)) }
        : { ...primary(2), receivedLsn: pos(1000) + (t - promotedAt) * 100 },
    ),
    ...wl.ops,
    finalRead(24_000, "pg2", true, onPg2),
  ];
  return { events, wl };
}

const asyncSettings = (o: Partial<ReplicationSettings> = {}): ReplicationSettings => ({
  synchronous_mode: "off",
  synchronous_mode_strict: false,
  maximum_lag_on_failover: 1048576,
  ttl: 10,
  ...o,
});
const judged = (events: HistoryEvent[], replication?: ReplicationSettings | { unknown: string }) =>
  noAckedWriteLost(replication ? { replication } : undefined).check(events);
const episodes = (v: ReturnType<typeof judged>) => v.evidence.filter((e) => e.type === "loss-episode") as LossEpisodeEvidence[];

describe("no-acked-write-lost and the replication settings' promise", () => {
  it("asynchronous replication: a failover's loss within maximum_lag_on_failover is allowed, with its bytes and count", () => {
    const v = judged(measuredFailover().events, asyncSettings());
    expect(v.ok).toBe(true);
    expect(v.summary).toBe(
      "35 of 95 acknowledged writes lost on pg2 (11-45), allowed by the configuration [35 by pg1 at the failover to pg2: 360000 bytes of WAL " +
        "within maximum_lag_on_failover 1048576 bytes (asynchronous replication)]; 0 indeterminate (0 present, 0 absent)",
    );
    expect(episodes(v)).toEqual([
      expect.objectContaining({ judgement: "allowed", cause: "failover", ackedBy: "pg1", promoted: "pg2", seqs: "11-45", count: 35, lostWalBytes: 360_000, maximumLagOnFailover: 1048576 }),
    ]);
    expect(episodes(v)[0].message).toContain("pg2 (last position 1100000 at +14.8s) lacked 360000 bytes of pg1's WAL (position 1460000 at +4.6s)");
    expect(v.figures).toMatchObject({ lost: 35, lostAllowed: 35, lostViolating: 0, lostAllowedWalBytes: 360_000, maximumLagOnFailover: 1048576 });
  });

  it("asynchronous replication: beyond maximum_lag_on_failover plus the last ttl's WAL it is a violation", () => {
    // pg1 wrote 100 000 bytes in its last second seen writable (ttl 1): 360 000 > 100 000 + 100 000.
    const v = judged(measuredFailover().events, asyncSettings({ maximum_lag_on_failover: 100_000, ttl: 1 }));
    expect(v.ok).toBe(false);
    expect(episodes(v)).toEqual([expect.objectContaining({ judgement: "violation", cause: "failover", lostWalBytes: 360_000, recentWalBytes: 100_000 })]);
    expect(v.summary).toContain("[35 by pg1 at the failover to pg2: 360000 bytes of WAL beyond maximum_lag_on_failover 100000 bytes]");
    expect(v.figures).toMatchObject({ lostAllowed: 0, lostViolating: 35 });
  });

  it("asynchronous replication: over maximum_lag_on_failover but within it plus what the primary wrote in the last ttl (Patroni's documented worst case) is allowed", () => {
    const v = judged(measuredFailover().events, asyncSettings({ maximum_lag_on_failover: 300_000, ttl: 1 }));
    expect(v.ok).toBe(true);
    expect(episodes(v)[0]).toMatchObject({ judgement: "allowed", lostWalBytes: 360_000, recentWalBytes: 100_000 });
    expect(episodes(v)[0].message).toContain("Patroni's documented worst case");
  });

  it("asynchronous replication: the last replica sample naming the new timeline (REST answered after the promotion) is passed over for the one before it", () => {
    const { events } = measuredFailover();
    // pg2's last sample before its promotion: PostgreSQL still a replica at its old position, Patroni's timeline already 2.
    const last = events.filter((e): e is NodeSample => e.kind === "node" && e.node === "pg2" && e.t < 15_000).at(-1)!;
    last.timeline = 2;
    const v = judged(events, asyncSettings());
    expect(v.ok).toBe(true);
    expect(episodes(v)[0]).toMatchObject({ judgement: "allowed", lostWalBytes: 360_000 });
    expect(episodes(v)[0].message).toContain(`pg2 (last position 1100000 at +${((last.t - 200) / 1000).toFixed(1)}s)`);
  });

  it("asynchronous replication: a promoted node seen only on a newer timeline before its promotion is not measured", () => {
    const { events } = measuredFailover();
    for (const e of events) if (e.kind === "node" && e.node === "pg2" && e.t < 15_000) e.timeline = 2;
    const v = judged(events, asyncSettings());
    expect(v.ok).toBe(false);
    expect(episodes(v)[0].message).toContain("pg2 was on timeline 2, newer than pg1's 1, so the positions are not on one WAL history");
  });

  it("asynchronous replication: a loss the samples cannot measure is not shown to be allowed", () => {
    // pg1 is not seen after +4.4 s: no position covers its last acknowledged writes.
    const v = judged(measuredFailover({ pg1Until: 4500 }).events, asyncSettings());
    expect(v.ok).toBe(false);
    expect(episodes(v)[0]).toMatchObject({ judgement: "violation", cause: "failover" });
    expect(episodes(v)[0].message).toContain("no sample of pg1 as primary at or after +4.4s gives its WAL position");
  });

  for (const [mode, strict] of [["on", false], ["on", true], ["quorum", false]] as const) {
    it(`synchronous_mode ${mode}${strict ? " (strict)" : ""}: the same loss is a violation`, () => {
      const v = judged(measuredFailover().events, asyncSettings({ synchronous_mode: mode, synchronous_mode_strict: strict }));
      expect(v.ok).toBe(false);
      expect(episodes(v)).toEqual([expect.objectContaining({ judgement: "violation", cause: "synchronous", count: 35 })]);
      expect(episodes(v)[0].message).toContain(`synchronous_mode ${mode}${strict ? " with synchronous_mode_strict" : ""} promises that no acknowledged write is lost`);
      expect(v.figures).toMatchObject({ lostViolating: 35, lostAllowed: 0 });
    });
  }

  it("synchronous_mode quorum on a Patroni before 4.0 (which reads it as off): judged as the asynchronous cluster it was, with a note; on 4.x as quorum", () => {
    const { events } = measuredFailover();
    const run = (patroni: string) =>
      judge({ events, invariants: [{ name: NAME, options: {} }] as never, scenario: { name: "s", patroni: { retry_timeout: 10, loop_wait: 10 }, replication: asyncSettings({ synchronous_mode: "quorum" }) }, versions: { patroni } }).verdicts.find(
        (v) => v.checker === NAME,
      )!;
    const old = run("3.0.2");
    expect(old.ok).toBe(true);
    expect(episodes(old)).toEqual([expect.objectContaining({ judgement: "allowed", cause: "failover", count: 35 })]);
    expect(old.evidence.find((e) => e.type === "note")?.message).toBe(
      "synchronous_mode: quorum is configured, but Patroni 3.0.2 has no quorum commit (it came in 4.0.0) and reads the value as off: the cluster replicated asynchronously, and lost writes are judged against that",
    );
    const current = run("4.0.7");
    expect(current.ok).toBe(false);
    expect(episodes(current)[0]).toMatchObject({ judgement: "violation", cause: "synchronous" });
    expect(current.evidence.some((e) => e.type === "note")).toBe(false);
  });

  it("a split brain's loss is a violation whatever maximum_lag_on_failover allows", () => {
    // pg2 is promoted at +3 s while pg1 keeps acknowledging until +4.4 s: two writable primaries.
    const v = judged(measuredFailover({ pg2PromotedAt: 3000 }).events, asyncSettings({ maximum_lag_on_failover: 1e12 }));
    expect(v.ok).toBe(false);
    expect(episodes(v)).toEqual([expect.objectContaining({ judgement: "violation", cause: "split-brain", ackedBy: "pg1", promoted: "pg2", start: 1000, end: 4410 })]);
    expect(episodes(v)[0].message).toContain("pg1 acknowledged writes until +4.4s while pg2 was writable (from +3.0s)");
    expect(v.summary).toContain("[35 by pg1: split brain with pg2]");
  });

  it("a split brain the samples cannot rule out (pg1's last acknowledgement between pg2's last replica sample and its first writable one) is a violation", () => {
    const v = judged(measuredFailover({ pg2PromotedAt: 4500, pg1Until: 4500 }).events, asyncSettings());
    expect(episodes(v)[0]).toMatchObject({ judgement: "violation", cause: "split-brain" });
    expect(episodes(v)[0].message).toContain("possibly writable (last seen otherwise at +4.4s, writable at +4.6s)");
  });

  it("with unknown settings every loss counts, and the summary says why", () => {
    const { events } = measuredFailover();
    expect(judged(events).summary).toBe("35 of 95 acknowledged writes lost on pg2 (11-45); 0 indeterminate (0 present, 0 absent)");
    expect(episodes(judged(events))[0]).toMatchObject({ judgement: "violation", cause: "settings-unknown" });
    const v = judged(events, { unknown: "step 3 changes Patroni's dynamic configuration during the run" });
    expect(v.ok).toBe(false);
    expect(v.summary).toContain("[35 by pg1: replication settings unknown]");
    expect(episodes(v)[0].message).toContain("step 3 changes Patroni's dynamic configuration during the run; every loss counts");
  });
});
