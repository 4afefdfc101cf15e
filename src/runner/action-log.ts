import { formatT } from "../util/time.js";
import type { HistoryEvent, LogLine } from "../history/events.js";

/** A Patroni log line: `2026-01-01 12:00:00,123 INFO: message` (the lab's log format). */
const PATRONI_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ([A-Z]+): (.*)$/;

/** What every Patroni node logs once per loop; it says nothing about an action. */
const ROUTINE = [/^(PAUSE: )?no action\. I am \(/, /^Lock owner: \S+; I am \S+$/, /^Loop time exceeded/, /^No PostgreSQL configuration items changed/];

/**
 * The Patroni log lines the nodes wrote while an action ran (from its start to `t1`): what the
 * leader did with a switchover request (`received switchover request`, `Got response from pg1
 * http://pg2:8008/patroni: ...`, `Member pg1 exceeds maximum replication lag`, `Cleaning up
 * failover key` ...), without the routine once-per-loop lines. At most `max` lines.
 */
export function patroniLinesDuring(events: readonly HistoryEvent[], nodes: readonly string[], t0: number, t1: number, max = 40): LogLine[] {
  const out: LogLine[] = [];
  for (const e of events) {
    if (e.kind !== "log" || e.t < t0 || e.t > t1 || !nodes.includes(e.node)) continue;
    const m = PATRONI_LINE.exec(e.line);
    if (!m || ROUTINE.some((r) => r.test(m[2]))) continue;
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

/** One line per log line: `+12.3s pg2 WARNING: manual failover: no healthy members found ...` (long lines cut). */
export function formatActionLog(lines: readonly LogLine[], maxChars = 400): string[] {
  return lines.map((l) => {
    const m = PATRONI_LINE.exec(l.line);
    const text = m ? `${m[1]}: ${m[2]}` : l.line;
    return `${formatT(l.t)} ${l.node} ${text.length > maxChars ? `${text.slice(0, maxChars)}…` : text}`;
  });
}
