import path from "node:path";
import { mkdir } from "node:fs/promises";
import { findScenarioFiles } from "./validate.js";
import { loadScenario, ScenarioError } from "../../scenario/load.js";
import { runScenario, type ScenarioRunInput } from "../../runner/run-scenario.js";
import { writeIndex } from "../../report/write.js";
import type { RunReport } from "../../report/model.js";
import { newRunId } from "../../lab/run-id.js";
import { interruptSignal } from "../../util/cleanup.js";
import { stderrProgress } from "../../util/progress.js";
import { UserFacingError } from "../../util/errors.js";
import { selectShard, parseShard } from "../../runner/shard.js";
import { toRunInput } from "../../runner/run-input.js";
import { stackByName } from "../../stacks/stacks.js";
import { stackIssues } from "../../stacks/scenario-fit.js";
import { formatIssue } from "../../scenario/load.js";
import { readPatroniConfigFile } from "../../lab/team-config-file.js";
import { ensureEngine } from "../../engine/docker-engine.js";
import { resolveLabImage } from "../../image/resolve.js";

export interface RunCommandOptions {
  paths: string[];
  reportsDir: string;
  timeScale?: string;
  shard?: string;
  /** One stack (the gameday's matrix runs this once per stack). */
  stack?: string;
  /** A user's own image (checked against docs/image-contract.md before any lab starts). */
  image?: string;
  /** A team's patroni.yml merged into every node. */
  patroniConfigFile?: string;
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
  const stack = o.stack !== undefined ? stackByName(o.stack) : undefined;
  const patroniConfig = o.patroniConfigFile ? await readPatroniConfigFile(o.patroniConfigFile) : undefined;
  const files = await findScenarioFiles(o.paths);
  if (!files.length) throw new UserFacingError(`no scenario files (*.yaml, *.yml) in ${o.paths.join(", ")}`);
  // Validate everything before starting anything: a typo in the last file should not cost a game day.
  const inputs: ScenarioRunInput[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      const loaded = await loadScenario(f);
      const unfit = o.image ? [] : stackIssues(loaded, stack ?? stackByName(undefined));
      if (unfit.length) problems.push(...unfit.map(formatIssue));
      else inputs.push(toRunInput(loaded));
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(e.message);
      else throw e;
    }
  }
  if (problems.length) throw new UserFacingError(problems.join("\n"));
  // A named stack's image is built, and a user's image checked, once before the first lab.
  if (stack || o.image) await resolveLabImage(await ensureEngine(stderrProgress), stderrProgress, { stack: o.stack, image: o.image });
  const selected = shard ? selectShard(inputs, shard, (i) => i.scenario.name) : inputs;
  const gameDay = newRunId();
  const dir = path.join(o.reportsDir, gameDay);
  await mkdir(dir, { recursive: true });
  out(`pgchaos game day ${gameDay}: ${selected.length} scenario(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${inputs.length})` : ""}, time scale ${timeScale}; reports in ${dir}`);
  const reports: RunReport[] = [];
  for (const input of selected) {
    if (interruptSignal.aborted) break;
    const { report } = await runScenario(input, {
      reportsDir: dir,
      timeScale,
      progress: stderrProgress,
      signal: interruptSignal,
      ...(o.stack !== undefined ? { stack: o.stack } : {}),
      ...(o.image ? { image: o.image } : {}),
      ...(patroniConfig ? { patroniConfig } : {}),
    });
    reports.push(report);
    out(`${report.outcome.toUpperCase().padEnd(5)} ${input.scenario.name}${report.error ? ` — ${report.error}` : report.skipped ? ` — ${report.skipped}` : ""}`);
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
