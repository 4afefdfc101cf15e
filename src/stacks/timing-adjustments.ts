import type { HistoryEvent } from "../history/events.js";

/** Patroni 4.x raises ttl < 20 (retry_timeout < 3, loop_wait < 1) and then enforces loop_wait + 2*retry_timeout <= ttl; 3.0 does neither. */
const RAISED = /\b(ttl|loop_wait|retry_timeout)=(\d+) can't be smaller than (\d+), adjusting/;
const RULE = /Violated the rule "loop_wait \+ 2\*retry_timeout <= ttl".*/;

/**
 * Findings when Patroni ran with other timings than the scenario's `patroni:` settings (its log
 * says so): every `within` budget derived from them then assumes timings Patroni did not use.
 */
export function patroniTimingAdjustments(events: readonly HistoryEvent[]): string[] {
  const raised = new Map<string, { from: string; to: string; nodes: Set<string> }>();
  const rule = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.kind !== "log" || !e.node.startsWith("pg")) continue;
    const m = RAISED.exec(e.line);
    if (m) {
      const r = raised.get(m[1]) ?? { from: m[2], to: m[3], nodes: new Set<string>() };
      r.nodes.add(e.node);
      raised.set(m[1], r);
    }
    const v = RULE.exec(e.line);
    if (v) rule.set(v[0], (rule.get(v[0]) ?? new Set<string>()).add(e.node));
  }
  const out: string[] = [];
  for (const [param, r] of raised) {
    out.push(
      `Patroni raised ${param} from the scenario's ${r.from} to ${r.to} (${[...r.nodes].sort().join(", ")}: "${param}=${r.from} can't be smaller than ${r.to}, adjusting..."); timings and budgets derived from ${param}=${r.from} do not hold on this version`,
    );
  }
  for (const [line, nodes] of rule) out.push(`Patroni changed the scenario's timings (${[...nodes].sort().join(", ")}): "${line.slice(0, 200)}"`);
  return out;
}
