/**
 * One scenario run: plan -> execute -> judge -> render. Each phase is its own module; this
 * one only composes them and owns what they share (the history, the journal, the secrets).
 * Judging and rendering read the record alone (run-record.ts), exactly as `pgchaos report`
 * re-judges a stored journal.
 */
import path from "node:path";
import { mkdir } from "node:fs/promises";
import { History } from "../history/history.js";
import type { RunReport } from "../report/model.js";
import { Journal, JOURNAL_FILE } from "../report/journal.js";
import { writeReports } from "../report/write.js";
import { monoMs } from "../util/time.js";
import type { Progress } from "../util/progress.js";
import { newRunId, newSecret } from "../lab/run-id.js";
import type { LabSecrets } from "../lab/lab-api.js";
import { loadKnownIssues } from "../known-issues/load.js";
import type { KnownIssue } from "../known-issues/schema.js";
import { derivedRandom, newSeed } from "../util/random.js";
import { planRun, type ScenarioRunInput } from "./plan.js";
import { replicationPromiseOf } from "../scenario/replication.js";
import { executeRun } from "./execute.js";
import { harnessVersion, reportFromRecord, type RunMeta } from "./run-record.js";

export type { ScenarioRunInput } from "./plan.js";
export { specFor, defaultWithinMs } from "./plan.js";

export interface RunOptions {
  /** The scenario's report directory is <reportsDir>/<scenario name>, unless `dir` is given. */
  reportsDir: string;
  /** The run's report directory, instead of <reportsDir>/<scenario name> (a game day's repeated runs: <scenario>/run-NN). */
  dir?: string;
  /** Multiplies every `within` budget and the settle time (slow CI). */
  timeScale: number;
  progress: Progress;
  signal?: AbortSignal;
  runId?: string;
  /** Seed of the harness's random choices (DCS proxy jitter, error probabilities); random when absent. */
  seed?: number;
  /** Shared known issues (default: the shipped known-issues/patroni.yaml); the scenario's own are added. */
  knownIssues?: readonly KnownIssue[];
  /** The pgchaos stack to run on (default bookworm). */
  stack?: string;
  /** A user's own image (run --image): replaces the stack's and the scenario's topology.image. */
  image?: string;
  /** A team's own patroni.yml (run --patroni-config FILE), merged into every node before the scenario's patroni_config. */
  patroniConfig?: Record<string, unknown>;
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
  const dir = opts.dir ?? path.join(opts.reportsDir, scenario.name);
  await mkdir(dir, { recursive: true });
  const startedAt = new Date();
  // t = 0 is the start of the run; the "cluster ready" note marks the end of setup.
  const origin = monoMs();
  const now = () => Math.round(monoMs() - origin);
  const history = new History();
  // Credentials for this run only; every report and journal line is redacted of them.
  // etcd's passwords are made whether or not the lab turns authentication on (topology.security),
  // so that they are redacted like the others when it does.
  const secrets: LabSecrets = {
    superuserPassword: newSecret(),
    replicationPassword: newSecret(),
    restapiPassword: newSecret(),
    etcdRootPassword: newSecret(),
    etcdPatroniPassword: newSecret(),
  };
  const seed = opts.seed ?? newSeed();
  // Everything besides the events that judging and rendering need: the journal is the record.
  const meta: RunMeta = {
    harness: { ...harnessVersion(), pid: process.pid },
    scenario: {
      name: scenario.name,
      ...(scenario.description !== undefined ? { description: scenario.description } : {}),
      ...(scenario.incident !== undefined ? { incident: String(scenario.incident) } : {}),
      file: input.file,
      text: input.text,
      stepLines: Object.fromEntries(input.stepLines.flatMap((l, i) => (l === undefined ? [] : [[i, l]]))) as Record<number, number>,
      invariants: scenario.invariants,
      patroni: { ttl: scenario.patroni.ttl, loop_wait: scenario.patroni.loop_wait, retry_timeout: scenario.patroni.retry_timeout },
      replication: replicationPromiseOf(scenario),
    },
    knownIssues: [...(scenario.known_issues ?? []), ...(opts.knownIssues ?? loadKnownIssues()).filter((k) => k.scenario === scenario.name)],
    options: { timeScale: opts.timeScale, seed },
  };
  opts.progress(`[${scenario.name}] seed ${seed}`);
  const journal = new Journal(
    path.join(dir, JOURNAL_FILE),
    { runId, wall: startedAt.toISOString(), scenario: scenario.name, scenarioFile: input.file, meta: meta as unknown as Record<string, unknown> },
    { secrets: Object.values(secrets) },
  );
  journal.attach(history);

  const plan = planRun(input, opts.timeScale);
  try {
    await executeRun(plan, {
      runId,
      dir,
      secrets,
      history,
      now,
      progress: opts.progress,
      signal: opts.signal,
      random: derivedRandom(seed, "dcs-proxy"),
      harnessVersion: meta.harness.version,
      ...(opts.stack !== undefined ? { stack: opts.stack } : {}),
      ...(opts.image !== undefined ? { image: opts.image } : {}),
      ...(opts.patroniConfig !== undefined ? { patroniConfig: opts.patroniConfig } : {}),
    });
  } finally {
    journal.close();
  }
  // Judged from the record alone, exactly as `pgchaos report` re-judges the journal.
  const report = reportFromRecord({ runId, wall: startedAt.toISOString(), meta, events: history.all() });
  await writeReports(dir, report, { secrets: Object.values(secrets) });
  return { report, dir, secrets };
}
