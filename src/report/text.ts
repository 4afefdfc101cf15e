import { formatDuration, formatT } from "../util/time.js";
import type { RunReport, StepReport } from "./model.js";

export { formatDuration, formatT };

/** "+10.0s → +10.1s" or "+10.0s → (unfinished)". */
export function stepSpan(s: StepReport): string {
  return `${formatT(s.tStart)} → ${s.tEnd === null ? "(unfinished)" : formatT(s.tEnd)}`;
}

/** One plain-text line per step, fault, action and verdict: the run as a log. */
export function runLog(r: RunReport): string {
  const lines: string[] = [];
  lines.push(`run ${r.runId}: ${r.outcome.toUpperCase()}${r.error ? ` (${r.error})` : ""}`);
  lines.push(`scenario ${r.scenario.name}${r.scenario.file ? ` (${r.scenario.file})` : ""}, started ${r.startedAt}, t=0 at ${r.origin}`);
  for (const s of r.steps)
    lines.push(
      `${stepSpan(s)}  [${s.outcome}] step ${s.index + 1} ${s.type}: ${s.text}${s.detail ? ` - ${s.detail}` : ""}` +
        `${s.line !== undefined ? ` (line ${s.line})` : ""}`,
    );
  for (const f of r.faults)
    lines.push(
      `fault ${f.id} ${f.type} on ${f.targets.join(",")}: injected ${formatT(f.injectedAt)}, ` +
        `${f.healedAt === null ? "never healed" : `healed ${formatT(f.healedAt)}`}${f.ok ? "" : ` [NOT OK${f.error ? `: ${f.error}` : ""}]`}`,
    );
  for (const a of r.actions)
    lines.push(
      `action ${a.id} ${a.action} ${formatT(a.t)} → ${formatT(a.tEnd)}: ${a.ok ? "ok" : "failed"}` +
        `${a.status !== undefined ? ` (HTTP ${a.status})` : ""}${a.error ? `: ${a.error}` : ""}`,
    );
  const w = r.workload;
  lines.push(`workload: ${w.attempted} attempted, ${w.ok} ok, ${w.fail} failed, ${w.unknown} unknown, ${w.rate}/s`);
  for (const v of r.verdicts) lines.push(`checker ${v.checker}: ${v.ok ? "ok" : v.unknown ? "UNKNOWN" : "FAILED"} - ${v.summary}`);
  for (const f of r.findings ?? []) lines.push(`finding: ${f}`);
  return lines.join("\n");
}

