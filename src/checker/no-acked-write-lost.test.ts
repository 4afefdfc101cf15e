import { describe, expect, it } from "vitest";
import { finalRead, Workload } from "../../test/fixtures/histories/builder.js";
import { cleanRun, splitBrain } from "../../test/fixtures/histories/scenarios.js";
import type { GhostWriteEvidence, LostWriteEvidence, LostWritesEvidence } from "./checker.js";
import { noAckedWriteLost } from "./no-acked-write-lost.js";

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
