import type { KnownIssue } from "../known-issues/schema.js";
import path from "node:path";
import { runScenarioInput, type ScenarioRunInput } from "../runner/run-scenario.js";
import type { RunReport } from "../report/model.js";
import { ensureEngine } from "../engine/docker-engine.js";
import { resolveLabImage } from "../image/resolve.js";
import type { Progress } from "../util/progress.js";
import { monoMs, sleep } from "../util/time.js";
import { runPool, type PoolLimit } from "./pool.js";
import { PRIOR_LAB_NEED, type AutoJobs } from "./jobs.js";
import { MachineClaims } from "./machine-claims.js";
import { durationKey, expectedDurations, scenarioEstimateMs } from "./lab-cost.js";
import { UnitWorkers } from "./child.js";
import { joinSessionReaper } from "../lab/reaper.js";
import { isRepeating, Schedule, type RepeatPolicy, type WorkUnit } from "./schedule.js";

export interface GameDayOptions {
  /** The game day's folder: runs go to <dir>/<scenario>/ (or <dir>/<scenario>/run-NN/ when repeating). */
  dir: string;
  /** Labs at a time: a number (-j), or learnt from the runs' own cost (the default, jobs.ts). */
  jobs: number | AutoJobs;
  policy: RepeatPolicy;
  timeScale: number;
  /** Seed of the harness's random choices, the same for every run of the game day. */
  seed?: number;
  /** Shared known issues (the shipped file when absent). */
  knownIssues?: readonly KnownIssue[];
  /** The stack, or a user's image, and a team's patroni.yml (the file for child processes, its contents here). */
  stack?: string;
  image?: string;
  patroniConfigFile?: string;
  patroniConfig?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Progress of the runs (each line prefixed with its run's label). */
  progress: Progress;
  /** Each lab's harness in its own process (see child.ts). Default: when more than one lab runs at a time. */
  isolate?: boolean;
  /** Called as each run ends (in completion order). */
  onRunEnd?: (run: GameDayRun) => void;
}

export interface GameDayRun {
  unit: WorkUnit;
  /** "etcd-quorum-loss" or, when repeating, "etcd-quorum-loss #3" (stack appended as "@stack"). */
  label: string;
  report: RunReport;
  dir: string;
  /** The report.md of the run relative to the game day's folder. */
  link: string;
  /** The run's generated credentials, to redact from the game day's index. Never printed. */
  secrets: string[];
}

export interface GameDayResult {
  /** In the order of the scenarios given, then by repeat number (whatever order they finished in). */
  runs: GameDayRun[];
  wallMs: number;
  /** The most labs that ran at once. */
  mostAtOnce: number;
  /** With the default -j: the cores a lab needed, as the game day learnt it. */
  labCores?: { cores: number; from: string };
}

function runDirName(unit: WorkUnit, repeating: boolean): string {
  const base = unit.stack !== undefined ? `${unit.input.scenario.name}@${unit.stack}` : unit.input.scenario.name;
  return repeating ? path.join(base, `run-${String(unit.repeat).padStart(2, "0")}`) : base;
}

/** The least time between two lab start-ups of a game day. */
const LAB_START_GAP_MS = 2000;

function labelOf(unit: WorkUnit, repeating: boolean): string {
  return `${unit.input.scenario.name}${unit.stack !== undefined ? `@${unit.stack}` : ""}${repeating ? ` #${unit.repeat}` : ""}`;
}

/**
 * Prefixes every progress line with the run's label. The runner already starts its lines with
 * "[scenario]": that prefix is widened to the label rather than repeated.
 */
export function labelledProgress(progress: Progress, scenario: string, label: string): Progress {
  const own = `[${scenario}]`;
  return (line) => progress(line.startsWith(own) ? `[${label}]${line.slice(own.length)}` : `[${label}] ${line}`);
}

/**
 * The game day as a pool: every scenario (times its repetitions) in its own lab, up to `jobs`
 * labs at a time. Labs share nothing: each run has its own run id, and with it its own network,
 * container names and labels; host ports are ephemeral; each report folder is the run's own.
 * The engine and the lab image are made ready once before the pool starts, so parallel runs
 * never build the image twice.
 */
export async function runGameDay(items: readonly { input: ScenarioRunInput; stack?: string }[], o: GameDayOptions): Promise<GameDayResult> {
  const repeating = isRepeating(o.policy);
  const t0 = monoMs();
  const docker = await ensureEngine(o.progress);
  // The runs' image (the stack's, built on first use, or a user's, checked against the
  // contract) once, before any lab: not once per lab, and not the default stack's when another is named.
  // A matrix game day names a stack per run: each stack's image once.
  const stacks = [...new Set(items.map((it) => it.stack ?? o.stack))];
  const images = [];
  for (const stack of stacks) images.push(await resolveLabImage(docker, o.progress, { stack, image: o.image }));
  // Longest first, so that the game day's critical path starts at once (lab-cost.ts).
  const expected = expectedDurations(path.dirname(o.dir));
  const expectedMs = (it: (typeof items)[number]) => expected.get(durationKey(it.input.scenario.name, it.stack ?? o.stack)) ?? scenarioEstimateMs(it.input.scenario);
  const ordered = [...items].sort((a, b) => expectedMs(b) - expectedMs(a));
  const schedule = new Schedule(ordered, o.policy);
  const auto = typeof o.jobs === "number" ? undefined : o.jobs;
  const limit: PoolLimit = auto ?? (o.jobs as number);
  const isolate = o.isolate ?? (auto ? auto.max > 1 : (o.jobs as number) > 1);
  // One reaper for the game day, before the first lab, so that the processes the labs run in join it.
  if (isolate) await joinSessionReaper(docker, images[0].ref, o.progress);
  const workers = isolate ? new UnitWorkers() : undefined;
  // Claimed whatever -j is: a game day at the default -j elsewhere on the machine leaves room for these.
  const claims = auto?.claims ?? new MachineClaims();
  const need = () => auto?.need() ?? PRIOR_LAB_NEED;
  const runs: GameDayRun[] = [];
  let active = 0;
  let mostAtOnce = 0;
  let lastStart = -Infinity;
  try {
    await runPool(
      limit,
      () => schedule.next(),
      (unit) => claims.hold(need, () => runUnit(unit)),
      o.signal,
    );
  } finally {
    claims.release();
    await workers?.close();
  }
  const order = (r: GameDayRun) => items.findIndex((it) => it.input === r.unit.input && it.stack === r.unit.stack);
  runs.sort((a, b) => order(a) - order(b) || a.unit.repeat - b.unit.repeat);
  return { runs, wallMs: monoMs() - t0, mostAtOnce, ...(auto ? { labCores: auto.learner.need() } : {}) };

  async function runUnit(unit: WorkUnit): Promise<void> {
    const label = labelOf(unit, repeating);
    const rel = runDirName(unit, repeating);
    const dir = path.join(o.dir, rel);
    const progress = labelledProgress(o.progress, unit.input.scenario.name, label);
    // Lab start-ups (initdb, basebackups, six container starts) are the dearest seconds of a
    // run: spread them instead of starting every slot's lab in the same instant.
    const wait = lastStart + LAB_START_GAP_MS - monoMs();
    lastStart = Math.max(monoMs(), lastStart + LAB_START_GAP_MS);
    if (wait > 0 && active > 0) await sleep(wait);
    mostAtOnce = Math.max(mostAtOnce, ++active);
    let report: RunReport;
    let secrets: string[] = [];
    if (workers) {
      // (the worker's report.json is already redacted of its run's secrets)
      report = await workers.run(unit, { dir, timeScale: o.timeScale, seed: o.seed, stack: unit.stack ?? o.stack, image: o.image, patroniConfigFile: o.patroniConfigFile, progress, signal: o.signal });
    } else {
      const r = await runScenarioInput(unit.input, { reportsDir: o.dir, dir, timeScale: o.timeScale, seed: o.seed, knownIssues: o.knownIssues, stack: unit.stack ?? o.stack, image: o.image, patroniConfig: o.patroniConfig, progress, signal: o.signal });
      report = r.report;
      secrets = Object.values(r.secrets);
    }
    active--;
    auto?.learner.learn(report);
    schedule.done(unit, report.outcome);
    const run: GameDayRun = { unit, label, report, dir, link: path.posix.join(...rel.split(path.sep), "report.md"), secrets };
    runs.push(run);
    o.onRunEnd?.(run);
  }
}
