import { describe, expect, it } from "vitest";
import { findingsFromVerdicts } from "./findings.js";
import type { HistoryEvent } from "../history/events.js";
import type { Verdict } from "../checker/checker.js";

describe("findings", () => {
  it("pairs a failed expectation with what was seen, and a failed verdict with Patroni's own log lines", () => {
    const events: HistoryEvent[] = [
      { kind: "step", t: 100, index: 2, id: "no-failover", type: "expect", phase: "end", text: "expect writable (node pg2, is false) for 15s", outcome: "fail", detail: "broke after 3.0 s: pg2 writable at +5.1s" },
      { kind: "log", t: 35_900, node: "pg2", line: "2026-11-22 02:47:45,457 INFO: promoted self to leader by acquiring session lock" },
      { kind: "log", t: 36_000, node: "pg1", line: "2026-11-22 02:47:45,537 INFO: promoted self to leader because I had the session lock" },
      { kind: "log", t: 36_050, node: "pg3", line: "2026-11-22 02:47:45,600 INFO: promoted self to leader by acquiring session lock" },
      { kind: "log", t: 60_000, node: "pg1", line: "2026-11-22 02:48:10,000 INFO: demoted self" },
    ];
    const verdict: Verdict = {
      checker: "single-primary",
      ok: false,
      summary: "split brain",
      evidence: [{ type: "writable-overlap", message: "pg1 and pg2 were both writable from +36.1s to +36.7s", nodes: ["pg1", "pg2"], start: 36_100, end: 36_700 } as never],
    };
    const f = findingsFromVerdicts(events, [verdict, { checker: "no-acked-write-lost", ok: true, summary: "", evidence: [] }]);
    expect(f).toHaveLength(2);
    expect(f[0]).toBe("step 3 (no-failover) expected: expect writable (node pg2, is false) for 15s; observed at +0.1s: broke after 3.0 s: pg2 writable at +5.1s");
    expect(f[1]).toContain("single-primary: pg1 and pg2 were both writable");
    expect(f[1]).toContain("pg2 +35.9s: INFO: promoted self to leader by acquiring session lock");
    expect(f[1]).toContain("pg1 +36.0s: INFO: promoted self to leader because I had the session lock");
    expect(f[1]).not.toContain("pg3");
    expect(f[1]).not.toContain("demoted self");
  });
});
