/**
 * pgchaos as a library: load a scenario, run it on a real lab, get a typed report.
 *
 *   import { loadScenario, runScenario } from "pgchaos";
 *   const { report } = await runScenario(await loadScenario("scenarios/my.yaml"));
 *   expect(report.outcome).toBe("pass");
 */
import path from "node:path";
import { loadScenario, parseScenario, ScenarioError, type LoadedScenario } from "./scenario/load.js";
import { runScenarioInput, type ScenarioResult } from "./runner/run-scenario.js";
import { toRunInput } from "./runner/run-input.js";
import { newRunId } from "./lab/run-id.js";
import { silentProgress, type Progress } from "./util/progress.js";

export interface RunScenarioOptions {
  /** Reports go to <reportsDir>/<scenario name>/ (default: reports/<new run id>). */
  reportsDir?: string;
  /** Multiplies every `within` budget and the settle time (default: PGCHAOS_TIME_SCALE or 1). */
  timeScale?: number;
  /** Progress lines (default: none). */
  progress?: Progress;
  /** Abort the run (faults are healed and the lab removed before the promise settles). */
  signal?: AbortSignal;
}

/**
 * Runs one scenario end to end (lab up, steps, heal, checks, reports, lab removed) and
 * resolves with its report. It rejects only for infrastructure it cannot work without; a
 * failing scenario resolves with `report.outcome === "fail"` and the evidence.
 */
export async function runScenario(scenario: LoadedScenario, opts: RunScenarioOptions = {}): Promise<ScenarioResult> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  return runScenarioInput(toRunInput(scenario), {
    reportsDir: opts.reportsDir ?? path.join("reports", newRunId()),
    timeScale: opts.timeScale ?? Number(process.env.PGCHAOS_TIME_SCALE ?? "1"),
    progress: opts.progress ?? silentProgress,
    signal: opts.signal,
  });
}

export { loadScenario, parseScenario, ScenarioError };
export type { LoadedScenario, ScenarioResult };
export type { Scenario, Step, Condition } from "./scenario/schema.js";
export type { RunReport, StepReport, FaultReport, RunOutcome } from "./report/model.js";
export type { Verdict, Evidence } from "./checker/checker.js";
export type { HistoryEvent } from "./history/events.js";
export { findScenarioFiles } from "./cli/commands/validate.js";
export { selectShard, parseShard } from "./runner/shard.js";
export { collectGarbage } from "./lab/gc.js";
