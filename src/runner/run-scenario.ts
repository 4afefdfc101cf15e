/**
 * One scenario run: plan -> execute -> judge -> render. Each phase is its own module; this
 * one only composes them and owns what they share (the history, the journal, the secrets).
 */
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { History } from "../history/history.js";
import type { RunReport } from "../report/model.js";
import { Journal, JOURNAL_FILE } from "../report/journal.js";
import { monoMs } from "../util/time.js";
import type { Progress } from "../util/progress.js";
import { newRunId, newSecret } from "../lab/run-id.js";
import type { LabSecrets } from "../lab/lab-api.js";
import { planRun, type ScenarioRunInput } from "./plan.js";
import { executeRun } from "./execute.js";
import { judge } from "./judge.js";
import { renderRun } from "./render.js";

export type { ScenarioRunInput } from "./plan.js";
export { specFor, defaultWithinMs } from "./plan.js";

export interface RunOptions {
  /** The scenario's report directory is <reportsDir>/<scenario name>. */
  reportsDir: string;
  /** Multiplies every `within` budget and the settle time (slow CI). */
  timeScale: number;
  progress: Progress;
  signal?: AbortSignal;
  runId?: string;
}

export interface ScenarioResult {
  report: RunReport;
  dir: string;
  /** The run's generated credentials, for tests that check no report contains them. Never printed. */
  secrets: LabSecrets;
}

/**
 * Runs one scenario end to end and writes its reports. Never throws for a scenario that merely
 * failed: the outcome is in the report. (The library's `runScenario` in src/index.ts takes a
 * loaded scenario file and calls this.)
 */
export async function runScenarioInput(input: ScenarioRunInput, opts: RunOptions): Promise<ScenarioResult> {
  const { scenario } = input;
  const runId = opts.runId ?? newRunId();
  const dir = path.join(opts.reportsDir, scenario.name);
  await mkdir(dir, { recursive: true });
  const startedAt = new Date();
  // t = 0 is the start of the run; the "cluster ready" note marks the end of setup.
  const origin = monoMs();
  const now = () => Math.round(monoMs() - origin);
  const history = new History();
  // Credentials for this run only; every report and journal line is redacted of them.
  const secrets: LabSecrets = { superuserPassword: newSecret(), replicationPassword: newSecret(), restapiPassword: newSecret() };
  const journal = new Journal(
    path.join(dir, JOURNAL_FILE),
    { runId, wall: startedAt.toISOString(), scenario: scenario.name, scenarioFile: input.file },
    { secrets: Object.values(secrets) },
  );
  journal.attach(history);

  const plan = planRun(input, opts.timeScale);
  let execution;
  try {
    execution = await executeRun(plan, { runId, dir, secrets, history, now, progress: opts.progress, signal: opts.signal });
  } finally {
    journal.close();
  }
  const events = history.all();
  const judgement = judge({ events, invariants: scenario.invariants, error: execution.error });
  const report = await renderRun(dir, {
    runId,
    input,
    startedAt,
    events,
    execution,
    verdicts: judgement.verdicts,
    findings: [...execution.findings, ...judgement.findings],
    secrets: Object.values(secrets),
  });
  return { report, dir, secrets };
}
