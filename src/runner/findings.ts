import type { HistoryEvent, LogLine, StepEvent } from "../history/events.js";
import type { Verdict } from "../checker/checker.js";
import { formatT } from "../util/time.js";

/** Patroni log lines that explain role changes. */
const ROLE_LINE = /promot|demot|session lock|leader lock|acquir|failsafe|not accessible|rewind|following a new leader/i;
const MARGIN_MS = 3000;

/**
 * Where a checker found Patroni doing otherwise than documented, attach what Patroni itself
 * logged at the time on the nodes involved: the evidence a person wants next to the verdict.
 * Reads the recorded history only.
 */
export function findingsFromVerdicts(events: readonly HistoryEvent[], verdicts: readonly Verdict[]): string[] {
  const logs = events.filter((e): e is LogLine => e.kind === "log");
  const out: string[] = [];
  // A failed expectation is the scenario's statement of documented behaviour meeting what
  // Patroni did: say both.
  for (const e of events) {
    if (e.kind !== "step" || e.phase !== "end" || e.outcome !== "fail") continue;
    const s = e as StepEvent;
    out.push(`step ${s.index + 1} (${s.id}) expected: ${s.text}; observed at ${formatT(s.t)}: ${s.detail ?? "(no detail)"}`);
  }
  for (const v of verdicts) {
    if (v.ok) continue;
    for (const ev of v.evidence) {
      const e = ev as { nodes?: string[]; start?: number; end?: number; message: string; severity?: string };
      // A note (single-primary's uncounted claim of a node shutting down) is not a finding.
      if (!e.nodes || e.start === undefined || e.end === undefined || e.severity === "note") continue;
      const lines = logs.filter(
        (l) => e.nodes!.includes(l.node) && l.t >= e.start! - MARGIN_MS && l.t <= e.end! + MARGIN_MS && ROLE_LINE.test(l.line) && !/STATEMENT|ERROR:\s+cannot execute/.test(l.line),
      );
      const shown = lines.slice(0, 12).map((l) => `  ${l.node} ${formatT(l.t)}: ${l.line.replace(/^\S+ \S+ /, "").slice(0, 200)}`);
      out.push(
        `${v.checker}: ${e.message}${shown.length ? `\nPatroni's own log on ${e.nodes.join(" and ")} around it:\n${shown.join("\n")}` : ""}`,
      );
    }
  }
  return out;
}
