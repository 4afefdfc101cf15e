import { describe, expect, it } from "vitest";
import { patroniTimingAdjustments } from "./timing-adjustments.js";
import type { HistoryEvent } from "../history/events.js";

const log = (t: number, node: string, line: string): HistoryEvent => ({ kind: "log", t, node, line });

describe("Patroni's timing adjustments", () => {
  it("reports each raised setting once, with the nodes that logged it (Patroni 4.0.7's lines)", () => {
    const events = [
      log(1, "pg3", "2026-12-01 23:30:13,014 WARNING: ttl=10 can't be smaller than 20, adjusting..."),
      log(2, "pg1", "2026-12-01 23:30:13,020 WARNING: ttl=10 can't be smaller than 20, adjusting..."),
      log(3, "pg1", "2026-12-01 23:30:15,000 INFO: no action. I am (pg1), the leader with the lock"),
      log(4, "e1", "ttl=10 can't be smaller than 20, adjusting..."),
    ];
    expect(patroniTimingAdjustments(events)).toEqual([
      `Patroni raised ttl from the scenario's 10 to 20 (pg1, pg3: "ttl=10 can't be smaller than 20, adjusting..."); timings and budgets derived from ttl=10 do not hold on this version`,
    ]);
  });

  it("says nothing when Patroni kept the scenario's timings (3.0.2 logs no such line)", () => {
    expect(patroniTimingAdjustments([log(1, "pg1", "INFO: Lock owner: None; I am pg1")])).toEqual([]);
  });
});
