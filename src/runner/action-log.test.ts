import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../history/events.js";
import { formatActionLog, patroniLinesDuring } from "./action-log.js";

const log = (t: number, node: string, line: string): HistoryEvent => ({ kind: "log", t, node, line });
const events: HistoryEvent[] = [
  log(900, "pg1", "2026-11-22 03:08:33,000 INFO: received switchover request with leader=pg1 candidate=pg2 scheduled_at=None"),
  log(1000, "pg1", "2026-11-22 03:08:33,110 INFO: received switchover request with leader=pg1 candidate=pg2 scheduled_at=None"),
  log(1010, "pg2", "2026-11-22 03:08:33,111 INFO: no action. I am (pg2), a secondary, and following a leader (pg1)"),
  log(1020, "pg2", "2026-11-22 03:08:33,112 INFO: Lock owner: pg1; I am pg2"),
  log(1030, "pg2", "2026-11-22 03:08:33,113 INFO: PAUSE: no action. I am (pg2), a secondary, and following a leader (pg1)"),
  log(1100, "pg1", `2026-11-22 03:08:33,200 INFO: Got response from pg2 http://pg1:8008/patroni: {"state": "running", "role": "master"${", x".repeat(300)}}`),
  log(1150, "pg1", "2026-11-22 03:08:33,250 UTC [123] LOG:  a PostgreSQL line, not Patroni's"),
  log(1200, "pg1", "2026-11-22 03:08:33,270 INFO: Member pg2 exceeds maximum replication lag"),
  log(1300, "e1", "2026-11-22 03:08:33,300 INFO: from an etcd member"),
  log(1400, "pg1", "2026-11-22 03:08:33,400 WARNING: manual failover: no healthy members found, failover is not possible"),
];

describe("Patroni log lines during an action", () => {
  it("keeps the Patroni lines of Patroni nodes inside the window, without the routine once-per-loop lines", () => {
    const lines = patroniLinesDuring(events, ["pg1", "pg2"], 1000, 1400);
    expect(lines.map((l) => l.t)).toEqual([1000, 1100, 1200, 1400]);
    expect(patroniLinesDuring(events, ["pg1", "pg2"], 1000, 1400, 2).length).toBe(2);
  });

  it("formats them with time, node and level, long lines cut", () => {
    const text = formatActionLog(patroniLinesDuring(events, ["pg1"], 1000, 1400), 100);
    expect(text[0]).toBe("+1.0s pg1 INFO: received switchover request with leader=pg1 candidate=pg2 scheduled_at=None");
    expect(text[1]).toMatch(/^\+1\.1s pg1 INFO: Got response from pg2 http:\/\/pg1:8008\/patroni: .{20,}…$/);
    expect(text[1].length).toBeLessThan(120);
    expect(text[3]).toBe("+1.4s pg1 WARNING: manual failover: no healthy members found, failover is not possible");
  });
});
