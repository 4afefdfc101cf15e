import path from "node:path";
import { mkdir, readFile } from "node:fs/promises";
import { findScenarioFiles } from "./validate.js";
import { loadScenario, ScenarioError } from "../../scenario/load.js";
import { runScenarioInput, type ScenarioRunInput } from "../../runner/run-scenario.js";
import { upstreamBugsOf, writeIndex } from "../../report/write.js";
import { renderUpstreamBugsMarkdown } from "../../report/upstream-bugs.js";
import type { RunReport } from "../../report/model.js";
import { aggregateRuns } from "../../report/aggregate.js";
import { newRunId } from "../../lab/run-id.js";
import { interruptSignal } from "../../util/cleanup.js";
import { stderrProgress } from "../../util/progress.js";
import { UserFacingError } from "../../util/errors.js";
import { selectShard, parseShard } from "../../runner/shard.js";
import { toRunInput } from "../../runner/run-input.js";
import { selectScenarios } from "../../scenario/select.js";
import { stackByName } from "../../stacks/stacks.js";
import { stackIssues } from "../../stacks/scenario-fit.js";
import { formatIssue } from "../../scenario/load.js";
import { readPatroniConfigFile } from "../../lab/team-config-file.js";
import { runGameDay } from "../../gameday/gameday.js";
import { followParent, UNIT_DONE, type UnitRequest } from "../../gameday/child.js";
import { matrixComparison, parseStackList, writeMatrix } from "../../gameday/matrix.js";
import { renderComparisonMarkdown } from "../../compare/compare.js";
import { isRepeating, parseRepeatPolicy } from "../../gameday/schedule.js";
import { AutoJobs, LAB_NEEDS, thisMachine } from "../../gameday/jobs.js";
import { runsTable, scenariosTable } from "../../gameday/console.js";
import { formatDuration } from "../../report/text.js";
import { gameDayExitCode } from "../../runner/exit-code.js";
import { parseSeed } from "../../util/random.js";
import { loadKnownIssues, type KnownIssueEntry } from "../../known-issues/load.js";

export interface RunCommandOptions {
  paths: string[];
  reportsDir: string;
  timeScale?: string;
  shard?: string;
  /** Only scenarios with one of these tags (`--tag`). */
  tags?: string[];
  /** Only scenarios whose name matches this regular expression (`--grep`). */
  grep?: string;
  /** -j: labs at a time (default: what the machine carries, see gameday/jobs.ts). */
  jobs?: string;
  repeat?: string;
  untilFail?: boolean;
  /** Time box for repeating, e.g. "30m". */
  for?: string;
  /** The summary JSON on stdout; everything for people goes to stderr. */
  json?: boolean;
  /** One stack (bookworm, trixie, sid), or several separated by commas: every scenario on each, and one comparison. */
  stack?: string;
  /** A user's own image (checked against docs/image-contract.md before any lab starts). */
  image?: string;
  /** A team's patroni.yml merged into every node. */
  patroniConfigFile?: string;
  /** Treat failures explained by known issues as failures (exit 1). */
  strict?: boolean;
  /** Seed of the harness's random choices (every scenario of the game day uses it); random when absent. */
  seed?: string;
}

export function parseTimeScale(v: string | undefined): number {
  const raw = v ?? process.env.PGCHAOS_TIME_SCALE ?? "1";
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.1 || n > 20) throw new UserFacingError(`--time-scale must be a number from 0.1 to 20, not '${raw}'`);
  return n;
}

/** -j N, or undefined for the default (learnt from the runs' cost, gameday/jobs.ts AutoJobs). */
export function parseJobs(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UserFacingError(`-j/--jobs must be a whole number from 1 to 64, not '${v}'`);
  return n;
}

/**
 * The game day: every scenario of the given files/directories (times --repeat), each in its
 * own lab with its own report, up to -j labs at a time; then an index over all of them.
 * Exit 0 when every run passed or failed only by known issues, 1 when any failed (with --strict
 * also on a known issue), 2 for bad input or infrastructure errors.
 */
export async function runCommand(o: RunCommandOptions, out: (s: string) => void): Promise<number> {
  const timeScale = parseTimeScale(o.timeScale);
  const seed = parseSeed(o.seed);
  const shard = o.shard ? parseShard(o.shard) : undefined;
  const explicitJobs = parseJobs(o.jobs);
  const policy = parseRepeatPolicy({ repeat: o.repeat, untilFail: o.untilFail, for: o.for });
  // With --json, stdout carries the summary JSON only.
  const say = o.json ? (s: string) => process.stderr.write(s + "\n") : out;
  const stackNames = o.stack !== undefined ? parseStackList(o.stack) : undefined;
  const matrix = stackNames !== undefined && stackNames.length > 1;
  if (matrix && o.image) throw new UserFacingError("--stack with several stacks and --image exclude each other: a matrix game day compares pgchaos's stacks; run your image on its own");
  const stacks = (stackNames ?? [undefined]).map((n) => stackByName(n));
  const patroniConfig = o.patroniConfigFile ? await readPatroniConfigFile(o.patroniConfigFile) : undefined;
  const files = await findScenarioFiles(o.paths);
  if (!files.length) throw new UserFacingError(`no scenario files (*.yaml, *.yml) in ${o.paths.join(", ")}`);
  // Validate everything before starting anything: a typo in the last file should not cost a game day.
  const inputs: ScenarioRunInput[] = [];
  const problems: string[] = [];
  /** Matrix: the stacks a scenario does not fit (it runs on the others). */
  const unfitOn = new Map<ScenarioRunInput, string[]>();
  for (const f of files) {
    try {
      const loaded = await loadScenario(f);
      const fit = o.image ? [] : stacks.map((st) => ({ stack: st.name, issues: stackIssues(loaded, st) }));
      const unfit = fit.filter((x) => x.issues.length);
      // One stack: a scenario it cannot run is bad input. Several: it runs on those it fits.
      if (unfit.length && (!matrix || unfit.length === fit.length)) {
        problems.push(...unfit.flatMap((u) => u.issues.map(formatIssue)));
        continue;
      }
      const input = toRunInput(loaded);
      inputs.push(input);
      if (unfit.length) unfitOn.set(input, unfit.map((u) => u.stack));
      for (const u of unfit) say(`${loaded.name} does not run on stack ${u.stack}: ${u.issues.map(formatIssue).join("; ")}`);
    } catch (e) {
      if (e instanceof ScenarioError) problems.push(e.message);
      else throw e;
    }
  }
  // The shared known issues are input too: a broken file stops the game day before it starts.
  let knownIssues: KnownIssueEntry[] = [];
  try {
    knownIssues = loadKnownIssues();
  } catch (e) {
    if (e instanceof ScenarioError) problems.push(e.message);
    else throw e;
  }
  if (problems.length) throw new UserFacingError(problems.join("\n"));
  const seen = new Map<string, string>();
  for (const i of inputs) {
    const other = seen.get(i.scenario.name);
    if (other) throw new UserFacingError(`${i.file}: scenario name '${i.scenario.name}' is also the name of ${other}; names must be unique in a game day (each names its report folder)`);
    seen.set(i.scenario.name, i.file);
  }
  const chosen = selectScenarios(inputs, { tags: o.tags, grep: o.grep }, (i) => i.scenario);
  const selected = shard ? selectShard(chosen, shard, (i) => i.scenario.name) : chosen;
  const gameDay = newRunId();
  const dir = path.join(o.reportsDir, gameDay);
  await mkdir(dir, { recursive: true });
  const jobs = explicitJobs ?? new AutoJobs(await thisMachine());
  const jobsText =
    typeof jobs === "number"
      ? `${jobs} lab(s) at a time`
      : `${jobs.current()} lab(s) at a time to start with, then as the runs' measured cost allows (${jobs.machine.cores} cores, ${jobs.machine.otherBusyCores.toFixed(1)} busy with other work, ` +
        (jobs.othersAtStart.labs ? `${jobs.othersAtStart.labs} lab(s) of other pgchaos runs here, ` : "") +
        `${(jobs.machine.freeMiB / 1024).toFixed(1)} GiB free; a lab needs about ${LAB_NEEDS.cpuCores} core until measured, and ${LAB_NEEDS.memMiB} MiB)`;
  const repeatText =
    policy.forMs !== undefined
      ? `, repeated for ${formatDuration(policy.forMs)}${policy.untilFail ? " or until a run fails" : ""}${Number.isFinite(policy.repeat) ? ` (at most ${policy.repeat} runs each)` : ""}`
      : policy.untilFail
        ? `, repeated until a run fails (at most ${policy.repeat} runs each)`
        : policy.repeat > 1
          ? `, ${policy.repeat} runs each`
          : "";
  say(
    `pgchaos game day ${gameDay}: ${selected.length} scenario(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${inputs.length})` : ""}${repeatText}, ` +
      `${jobsText}, ` +
      `time scale ${timeScale}, seed ${seed}; reports in ${dir}`,
  );
  const items = matrix ? selected.flatMap((input) => stackNames!.filter((st) => !unfitOn.get(input)?.includes(st)).map((st) => ({ input, stack: st }))) : selected.map((input) => ({ input }));
  const result = await runGameDay(
    items,
    {
      dir,
      jobs,
      policy,
      timeScale,
      seed,
      knownIssues,
      ...(stackNames !== undefined && !matrix ? { stack: stackNames[0] } : {}),
      ...(o.image ? { image: o.image } : {}),
      ...(o.patroniConfigFile ? { patroniConfigFile: o.patroniConfigFile } : {}),
      ...(patroniConfig ? { patroniConfig } : {}),
      signal: interruptSignal,
      progress: stderrProgress,
      onRunEnd: (r) => say(`${r.report.outcome.toUpperCase().padEnd(5)} ${r.label}${r.report.error ? ` — ${r.report.error}` : ""}`),
    },
  );
  const reports = result.runs.map((r) => r.report);
  const links = new Map(result.runs.map((r) => [r.report, r.link]));
  const repeats = new Map(result.runs.map((r) => [r.report, r.unit.repeat]));
  const repeating = isRepeating(policy);
  const written = await writeIndex(dir, reports, {
    ...(matrix ? { stacks: stackNames! } : {}),
    reportLink: (r) => links.get(r)!,
    ...(repeating ? { repeatOf: (r: RunReport) => repeats.get(r) } : {}),
    pool: { jobs: result.mostAtOnce, wallMs: Math.round(result.wallMs) },
    secrets: result.runs.flatMap((r) => r.secrets),
  });
  if (matrix) {
    const comparison = matrixComparison(
      stackNames!,
      result.runs.map((r) => ({ stack: r.unit.stack, report: r.report })),
    );
    await writeMatrix(dir, written, comparison, result.runs.flatMap((r) => r.secrets));
    say("");
    say(renderComparisonMarkdown(comparison, "Stacks compared", { bugTable: false }));
  }
  say("");
  say(repeating ? scenariosTable(aggregateRuns(result.runs.map((r) => ({ report: r.report, repeat: r.unit.repeat, link: r.link })))) : runsTable(reports));
  // The game day ends with the upgrade table when its scenarios have known issues.
  const bugs = upstreamBugsOf(reports, matrix ? stackNames! : undefined);
  if (bugs) say(renderUpstreamBugsMarkdown(bugs.upstreamBugs).join("\n"));
  say(
    `wall time ${formatDuration(result.wallMs)}, at most ${result.mostAtOnce} lab(s) at a time` +
      (result.labCores ? ` (a lab needed ${result.labCores.cores.toFixed(2)} core: ${result.labCores.from === "prior" ? "not yet measured" : result.labCores.from})` : ""),
  );
  say(`reports: ${dir}`);
  say(`game-day index: ${written.indexHtml}`);
  say(`summary: ${written.summaryMarkdown} (JSON: ${written.summaryJson})`);
  if (o.json) process.stdout.write(await readFile(written.summaryJson, "utf8"));
  return gameDayExitCode(reports, { strict: o.strict, interrupted: interruptSignal.aborted });
}

/**
 * What a run left in the event loop beyond what the process had before its first run: timers
 * and handles, by kind. A handle being closed or a timer about to fire is given 2 s to go.
 */
async function leftBehind(atRest: string[]): Promise<string[]> {
  const extra = () => {
    const rest = [...atRest];
    return process.getActiveResourcesInfo().filter((r) => {
      const i = rest.indexOf(r);
      if (i < 0) return true;
      rest.splice(i, 1);
      return false;
    });
  };
  for (let waited = 0; extra().length && waited < 2000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  return extra();
}

/**
 * Internal (`pgchaos run-unit`): a game day's worker process. It reads one request a line on
 * stdin (gameday/child.ts UnitRequest), runs each into its folder, one after another, and
 * answers each with a line on stdout once its report is written. It ends at the end of stdin,
 * on SIGINT or SIGTERM (the current run heals and removes its lab first), when its parent goes,
 * or after a run that left timers or sockets behind (the next run gets a fresh process, so no
 * run's event loop carries another's leftovers).
 */
export async function runUnitCommand(): Promise<number> {
  followParent();
  const { createInterface } = await import("node:readline");
  const lines = createInterface({ input: process.stdin });
  const resourcesAtRest = process.getActiveResourcesInfo();
  for await (const line of lines) {
    if (!line.trim()) continue;
    const o = JSON.parse(line) as UnitRequest;
    try {
      const input = toRunInput(await loadScenario(o.file));
      await runScenarioInput(input, { reportsDir: path.dirname(o.dir), dir: o.dir, timeScale: o.timeScale, seed: o.seed,
        ...(o.stack !== undefined ? { stack: o.stack } : {}),
        ...(o.image ? { image: o.image } : {}),
        ...(o.patroniConfigFile ? { patroniConfig: await readPatroniConfigFile(o.patroniConfigFile) } : {}),
        progress: stderrProgress, signal: interruptSignal });
    } catch (e) {
      // The parent reports a run without a report.json from its last progress lines.
      stderrProgress(e instanceof ScenarioError || e instanceof UserFacingError ? e.message : `error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    // Said in the answer, before the parent can hand this process another run.
    const left = interruptSignal.aborted ? [] : await leftBehind(resourcesAtRest);
    if (left.length) stderrProgress(`this worker ends: its run left ${left.join(", ")} behind`);
    process.stdout.write(JSON.stringify({ [UNIT_DONE]: o.dir, ...(left.length || interruptSignal.aborted ? { ending: true } : {}) }) + "\n");
    if (interruptSignal.aborted) return 130;
    if (left.length) break;
  }
  lines.close();
  return interruptSignal.aborted ? 130 : 0;
}
