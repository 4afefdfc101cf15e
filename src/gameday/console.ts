import type { RunReport } from "../report/model.js";
import { aggregateLabel, formatRate, passRateText, type ScenarioAggregate } from "../report/aggregate.js";

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** One row per run: the game day's table when nothing was repeated. */
export function runsTable(reports: readonly RunReport[]): string {
  const rows = [["scenario", "outcome", "steps", "invariants", "writes ok/fail/unknown", "wall"]];
  for (const r of reports) {
    const steps = `${r.steps.filter((s) => s.outcome === "pass").length}/${r.steps.length}`;
    const inv = r.verdicts.map((v) => `${v.checker}:${v.ok ? "ok" : "FAIL"}`).join(" ") || "-";
    const w = `${r.workload.ok}/${r.workload.fail}/${r.workload.unknown}`;
    rows.push([r.scenario.name, r.outcome, steps, inv, w, `${(r.durations.totalMs / 1000).toFixed(0)} s`]);
  }
  return table(rows);
}

/**
 * One row per scenario over its repeated runs, then the figures that differed between runs
 * (a figure equal in every run says nothing about flakiness; summary.md lists them all).
 */
export function scenariosTable(aggregates: readonly ScenarioAggregate[]): string {
  const rows = [["scenario", "runs", "pass rate (95% CI)", "other outcomes", "first failing run"]];
  for (const a of aggregates) {
    const others = Object.entries(a.rates)
      .filter(([o]) => o !== "pass")
      .map(([o, r]) => formatRate(o, r, a.runs))
      .join("; ");
    rows.push([aggregateLabel(a), String(a.runs), passRateText(a).replace(/^pass /, ""), others || "-", a.firstFailing?.report ?? "-"]);
  }
  const lines = [table(rows)];
  for (const a of aggregates) {
    const varied = a.figures.filter((f) => f.values.some((x) => x !== f.values[0]));
    const known = a.knownIssues.map((k) => `  known issue ${k.id}: showed in ${k.showed} of ${k.runs} runs`);
    if (!varied.length && !known.length) continue;
    lines.push("", `${aggregateLabel(a)}:`, ...known, ...varied.map((f) => `  ${f.checker} ${f.figure}: ${f.text}`));
  }
  return lines.join("\n");
}
