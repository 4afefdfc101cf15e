import path from "node:path";
import { mkdir } from "node:fs/promises";
import { findScenarioFiles } from "./validate.js";
import { loadScenario, ScenarioError } from "../../scenario/load.js";
import { runScenarioInput, type ScenarioRunInput } from "../../runner/run-scenario.js";
import { writeIndex } from "../../report/write.js";
import type { RunReport } from "../../report/model.js";
import { newRunId } from "../../lab/run-id.js";
import { interruptSignal } from "../../util/cleanup.js";
import { stderrProgress } from "../../util/progress.js";
import { UserFacingError } from "../../util/errors.js";
import { selectShard, parseShard } from "../../runner/shard.js";
import { toRunInput } from "../../runner/run-input.js";

export interface RunCommandOptions {
  paths: string[];
  reportsDir: string;
  timeScale?: string;
  shard?: string;
}

export function parseTimeScale(v: string | undefined): number {
  const raw = v ?? process.env.PGCHAOS_TIME_SCALE ?? "1";
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.1 || n > 20) throw new UserFacingError(`--time-scale must be a number from 0.1 to 20, not '${raw}'`);
  return n;
}

/**
 * The game day: every scenario of the given files/directories, one after the other (the
 * machine is small), each with its own lab and report; then an index over all of them.
 * Exit 0 when all pass, 1 when any failed, 2 for bad input or infrastructure errors.
 */
export async function runCommand(o: RunCommandOptions, out: (s: string) => void): Promise<number> {
  const timeScale = parseTimeScale(o.timeScale);
  const shard = o.shard ? parseShard(o.shard) : undefined;
  const files = await findScenarioFiles(o.paths);
  if (!files.length) throw new UserFacingError(`no scenario files (*.yaml, *.yml) in ${o.paths.join(", ")}`);
  // Validate everything before starting anything: a typo in the last file should not cost a game day.
  const inputs: ScenarioRunInput[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      inputs.push(toRunInput(await loadScenario(f)));
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length) throw new UserFacingError(problems.join("\n"));
  const selected = shard ? selectShard(inputs, shard, (i) => i.scenario.name) : inputs;
  const gameDay = newRunId();
  const dir = path.join(o.reportsDir, gameDay);
  await mkdir(dir, { recursive: true });
  out(`pgchaos game day ${gameDay}: ${selected.length} scenario(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${inputs.length})` : ""}, time scale ${timeScale}; reports in ${dir}`);
  const reports: RunReport[] = [];
  for (const input of selected) {
    if (interruptSignal.aborted) break;
    const { report } = await runScenarioInput(input, { reportsDir: dir, timeScale, progress: stderrProgress, signal: interruptSignal });
    reports.push(report);
    out(`${report.outcome.toUpperCase().padEnd(5)} ${input.scenario.name}${report.error ? ` — ${report.error}` : ""}`);
  }
  await writeIndex(dir, reports, { reportLink: (r) => `${r.scenario.name}/report.md` });
  out("");
  out(summaryTable(reports));
  out(`reports: ${dir}`);
  if (interruptSignal.aborted) return 130;
  if (reports.some((r) => r.outcome === "error")) return 2;
  return reports.some((r) => r.outcome === "fail") ? 1 : 0;
}

function summaryTable(reports: RunReport[]): string {
  const rows = [["scenario", "outcome", "steps", "invariants", "writes ok/fail/unknown", "wall"]];
  for (const r of reports) {
    const steps = `${r.steps.filter((s) => s.outcome === "pass").length}/${r.steps.length}`;
    const inv = r.verdicts.map((v) => `${v.checker}:${v.ok ? "ok" : "FAIL"}`).join(" ") || "-";
    const w = `${r.workload.ok}/${r.workload.fail}/${r.workload.unknown}`;
    rows.push([r.scenario.name, r.outcome, steps, inv, w, `${(r.durations.totalMs / 1000).toFixed(0)} s`]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
}
