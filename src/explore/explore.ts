/**
 * An exploration: draw schedules, run each in a lab, judge it, and for a failure that is new
 * rerun it k times for a reproduction rate and shrink it; up to -j labs at a time, for --runs
 * schedules or --for a time. Everything is kept under OUT as it happens, so Ctrl-C loses
 * nothing and a second explore with the same OUT resumes:
 *
 *   OUT/explore-state.json          the resume file (seed, options, schedules done, findings, shrinks under way)
 *   OUT/runs/<schedule>/            a schedule's first run: scenario.yaml and its reports
 *   OUT/runs/<schedule>/rerun-N/    its reruns (k, for the rate)
 *   OUT/runs/<schedule>/shrink-NNN/ runs of shrink candidates
 *   OUT/findings/<signature>/       minimal.yaml, original.yaml, finding.json, README.md
 *   OUT/findings.md, findings.json, findings.html   the findings, with links
 *   OUT/index.html, summary.md, summary.json        the runs (as `pgchaos run` writes them)
 *
 * `pgchaos merge` makes the OUTs of `--shard I/N` runs one exploration (merge.ts).
 *
 * The lab itself is a dependency (`runLab`): the CLI passes the game day's machinery; tests pass
 * fakes.
 */
import { createHash } from "node:crypto";
import YAML from "yaml";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { KnownIssue } from "../known-issues/schema.js";
import type { RunReport } from "../report/model.js";
import { esc } from "../report/html-util.js";
import { writeIndex } from "../report/write.js";
import { shardOf, type Shard } from "../runner/shard.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { UserFacingError } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { formatDuration } from "../util/time.js";
import { bookRun, emptyBook, type ExploreKnownIssue, findingDir, judgeRun, rateText, reproduces, reproductionRate, settleMinimal, signatureOf, type Finding, type FindingsBook, type RunVerdict } from "./findings.js";
import { generateSchedule, toYaml, type ExploreOptions, type Schedule } from "./schedule.js";
import { shrink, type ShrinkStep } from "./shrink.js";

export const STATE_FILE = "explore-state.json";

/** How often a slot above the current -j asks again whether it may take a lab (besides each lab's start and end). */
const SLOT_RECHECK_MS = 2000;

export interface ExploreConfig {
  out: string;
  options: ExploreOptions;
  /** Labs at a time: at most this many. */
  jobs: number;
  /**
   * Labs at a time now (at most `jobs`, at least 1), asked before each lab: the default -j follows
   * what the labs cost and what other pgchaos runs on the machine claim (gameday/jobs.ts). Default `jobs`.
   */
  jobsNow?: () => number;
  /** Schedules to run in all (this OUT's earlier sessions count); default 10 unless `forMs`. */
  runs?: number;
  /** Start no schedule later than this long after the start. */
  forMs?: number;
  /** Reruns of a new finding's schedule, and runs per shrink candidate (default 3). */
  k?: number;
  shard?: Shard;
  /** Budget of one shrink: lab runs and time (defaults 60 runs, 2 h; never past --for). */
  shrinkRuns?: number;
  shrinkMs?: number;
  /** Known issues, with the fault kinds of the scenario each was written for when known (see findings.ts applicableIssues). */
  knownIssues?: readonly ExploreKnownIssue[];
  /** The stacks named (kept in the state: a resume must draw the same schedules). */
  stacks?: readonly string[];
  /** The user's own lab image, if any: explore does not use it (runLab does) but records it for `pgchaos merge`. */
  image?: string;
}

/** One lab run for explore: the scenario's YAML, the folder its reports go to. */
export interface LabJob {
  name: string;
  yaml: string;
  /** Absolute folder for scenario.yaml and the reports. */
  dir: string;
  stack?: string;
  /** The harness's seed (the schedule's seed, kept in the report). */
  seed: number;
}

export interface ExploreDeps {
  runLab(job: LabJob): Promise<RunReport>;
  progress: Progress;
  now?: () => number;
  signal?: AbortSignal;
}

interface RunEntry {
  name: string;
  /** The first run's folder, relative to OUT. */
  dir: string;
  verdict: RunVerdict;
  failures: string[];
}

interface ShrinkProgress {
  yaml: string;
  steps: ShrinkStep[];
  runs: number;
  /** The folder of the run that reproduced the current schedule, relative to OUT. */
  reportDir: string;
}

export interface ExploreState {
  version: 1;
  seed: number;
  /** What determines the schedules besides the seed (bases, kinds, K, stacks): a resume must match. */
  identity: string;
  done: number[];
  labRuns: number;
  runs: RunEntry[];
  book: FindingsBook;
  /** Per finding (its signature key): the schedule its shrink reached so far. */
  shrinking: Record<string, ShrinkProgress>;
  /**
   * The latest session's options, readable: `pgchaos merge` names what differs between two OUTs
   * (the identity is a hash) and which shard each is. Absent in OUTs of earlier pgchaos versions.
   */
  settings?: ExploreSettings;
}

export interface ExploreSettings {
  /** `I/N`; absent: every schedule index. */
  shard?: string;
  /** The base scenarios' names. */
  bases: string[];
  faults: string[] | "all";
  actions: string[] | "all";
  maxSteps: number | null;
  stacks: string[];
  reruns: number;
  shrinkRuns: number;
  image?: string;
}

export function exploreSettings(cfg: Pick<ExploreConfig, "options" | "shard" | "stacks" | "k" | "shrinkRuns" | "image">): ExploreSettings {
  const o = cfg.options;
  return {
    ...(cfg.shard ? { shard: `${cfg.shard.index}/${cfg.shard.count}` } : {}),
    bases: o.bases.map((b) => b.name),
    faults: o.faults ? [...o.faults] : "all",
    actions: o.actions ? [...o.actions] : "all",
    maxSteps: o.maxSteps ?? null,
    stacks: [...(cfg.stacks ?? [])],
    reruns: cfg.k ?? 3,
    shrinkRuns: cfg.shrinkRuns ?? 60,
    ...(cfg.image !== undefined ? { image: cfg.image } : {}),
  };
}

export interface ExploreOutcome {
  state: ExploreState;
  /** Findings of this OUT (earlier sessions' too): failures no known issue explains. */
  findings: Finding[];
  interrupted: boolean;
  /** 0: no finding; 1: a finding exists; 130: interrupted. */
  exitCode: number;
}

/** What a resumed exploration must share with the first session. */
export function exploreIdentity(o: ExploreOptions, stacks: readonly string[] = []): string {
  const id = { bases: o.bases.map((b) => b.doc), faults: o.faults ?? "all", actions: o.actions ?? "all", maxSteps: o.maxSteps ?? null, stacks };
  return createHash("sha256").update(JSON.stringify(id)).digest("hex").slice(0, 16);
}

/** Reads OUT's state, if any: the seed to resume with (when none was given) and the check that the options are the same. */
export async function readState(out: string): Promise<ExploreState | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(out, STATE_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const s = JSON.parse(text) as ExploreState;
  if (s.version !== 1) throw new UserFacingError(`${path.join(out, STATE_FILE)}: not an explore state this pgchaos reads (version ${String(s.version)})`);
  return s;
}

/**
 * Labs for shrinks and reruns go first; a worker with nothing to do waits while an
 * investigation may still ask for runs. After an interrupt, queued runs end without running.
 */
class LabQueue {
  private urgent: { job: LabJob; resolve: (r: RunReport | undefined) => void }[] = [];
  private wake: (() => void)[] = [];
  closed = false;

  run(job: LabJob): Promise<RunReport | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.urgent.push({ job, resolve });
      this.notify();
    });
  }
  take() {
    return this.urgent.shift();
  }
  get pending(): boolean {
    return this.urgent.length > 0;
  }
  changed(): Promise<void> {
    return new Promise((r) => this.wake.push(r));
  }
  notify() {
    const w = this.wake;
    this.wake = [];
    for (const r of w) r();
  }
  close() {
    this.closed = true;
    for (const u of this.urgent) u.resolve(undefined);
    this.urgent = [];
    this.notify();
  }
}

export async function explore(cfg: ExploreConfig, deps: ExploreDeps): Promise<ExploreOutcome> {
  const now = deps.now ?? Date.now;
  const t0 = now();
  const k = cfg.k ?? 3;
  const out = path.resolve(cfg.out);
  const identity = exploreIdentity(cfg.options, cfg.stacks);
  const previous = await readState(out);
  if (previous && (previous.seed !== cfg.options.seed || previous.identity !== identity)) {
    throw new UserFacingError(
      `${out} holds an exploration with seed ${previous.seed}${previous.identity !== identity ? " and other bases, kinds, --max-steps or stacks" : ""}; resume it with the same options, or use another --out`,
    );
  }
  const settings = exploreSettings(cfg);
  // Another shard in the same OUT would mix two shards' schedules under one name, and `pgchaos merge` reads an OUT as one shard.
  if (previous?.settings && previous.settings.shard !== settings.shard) {
    const was = (x?: string) => (x ? `--shard ${x}` : "no --shard (every schedule)");
    throw new UserFacingError(`${out} holds an exploration run with ${was(previous.settings.shard)}; resume it with the same, or use another --out for ${was(settings.shard)}`);
  }
  const state: ExploreState = previous ?? { version: 1, seed: cfg.options.seed, identity, done: [], labRuns: 0, runs: [], book: emptyBook(), shrinking: {} };
  state.settings = settings;
  const done = new Set(state.done);
  const limit = cfg.runs ?? (cfg.forMs === undefined ? 10 : Number.POSITIVE_INFINITY);
  const deadline = cfg.forMs === undefined ? Number.POSITIVE_INFINITY : t0 + cfg.forMs;
  const queue = new LabQueue();
  const investigations = new Set<Promise<void>>();
  const started = new Set<number>();
  let next = 0;
  let saving = Promise.resolve();

  await mkdir(path.join(out, "runs"), { recursive: true });
  const save = () => {
    state.done = [...done].sort((a, b) => a - b);
    const text = `${JSON.stringify(state, null, 2)}\n`;
    saving = saving.then(() => writeFileAtomic(path.join(out, STATE_FILE), text));
    return saving;
  };
  // Stops everything: Ctrl-C, or a lab that could not even produce a report.
  const stop = new AbortController();
  stop.signal.addEventListener("abort", () => queue.close(), { once: true });
  const abort = () => stop.abort();
  deps.signal?.addEventListener("abort", abort, { once: true });
  if (deps.signal?.aborted) stop.abort();

  const labRun = async (job: LabJob): Promise<RunReport> => {
    await mkdir(job.dir, { recursive: true });
    await writeFile(path.join(job.dir, "scenario.yaml"), job.yaml);
    state.labRuns++;
    try {
      return await deps.runLab(job);
    } finally {
      // (a slot waiting for the -j to allow it asks again)
      queue.notify();
    }
  };
  const status = () => {
    const f = state.book.findings.length;
    const explained = Object.values(state.book.explained).reduce((a, b) => a + b, 0);
    const left = Number.isFinite(deadline) ? `, ${formatDuration(Math.max(0, deadline - now()))} left` : Number.isFinite(limit) ? `, ${Math.max(0, limit - done.size)} schedule(s) left` : "";
    return `${done.size} schedule(s) run, ${state.labRuns} lab run(s), ${f} finding(s), ${explained} explained by known issues${left}`;
  };

  /** No new schedule may start: the time or the number of schedules is spent. */
  const budgetSpent = () => now() >= deadline || done.size + [...started].filter((i) => !done.has(i)).length >= limit;
  /** The next schedule index this shard runs, or undefined when the budget is spent. */
  const nextIndex = (): number | undefined => {
    if (queue.closed || budgetSpent()) return undefined;
    for (;;) {
      const i = next++;
      if (done.has(i) || started.has(i)) continue;
      if (cfg.shard && shardOf(`${cfg.options.seed}/${i}`, cfg.shard.count) !== cfg.shard.index) continue;
      return i;
    }
  };

  const runSchedule = async (index: number) => {
    started.add(index);
    const schedule = generateSchedule(cfg.options, index);
    const rel = path.join("runs", schedule.name);
    const report = await labRun({ name: schedule.name, yaml: schedule.yaml, dir: path.join(out, rel), ...(schedule.stack ? { stack: schedule.stack } : {}), seed: schedule.scheduleSeed });
    if (queue.closed && report.outcome === "error") return; // cut short by the interrupt: run again on resume
    const j = judgeRun(report, schedule.doc, cfg.knownIssues);
    done.add(index);
    state.runs.push({ name: schedule.name, dir: rel, verdict: j.verdict, failures: j.failures });
    const { finding, isNew } = bookRun(state.book, schedule.name, j, schedule.doc);
    deps.progress(`explore: ${schedule.name} ${j.verdict}${j.failures.length ? ` (${j.failures.join(", ")})` : ""}${finding ? `${isNew ? ": NEW finding" : ": again"} ${finding.signature.key}` : ""} — ${status()}`);
    if (isNew && finding) {
      // Its folder from the start (people look while it is shrunk); named by the minimal schedule's signature once shrunk.
      await mkdir(path.join(out, "findings", finding.signature.key), { recursive: true });
      await writeFile(path.join(out, "findings", finding.signature.key, "original.yaml"), schedule.yaml);
      await writeFindingFiles(out, finding);
      startInvestigation(finding, schedule);
    }
    await save();
    await writeFindingsIndex(out, state);
  };

  const startInvestigation = (finding: Finding, schedule: Pick<Schedule, "name" | "yaml" | "doc" | "stack" | "scheduleSeed">) => {
    const p = investigate(finding, schedule)
      .catch((e: unknown) => deps.progress(`explore: investigating ${finding.signature.key} failed: ${(e as Error)?.message ?? String(e)}`))
      .finally(() => {
        investigations.delete(p);
        queue.notify();
      });
    investigations.add(p);
  };

  /** Reruns a new finding's schedule k times, then shrinks it (from where an earlier session left it). */
  const investigate = async (finding: Finding, schedule: Pick<Schedule, "name" | "yaml" | "doc" | "stack" | "scheduleSeed">) => {
    const key = finding.signature.key;
    const job = (yaml: string, sub: string): LabJob => ({ name: schedule.name, yaml, dir: path.join(out, "runs", schedule.name, sub), ...(schedule.stack ? { stack: schedule.stack } : {}), seed: schedule.scheduleSeed });
    if (!finding.rate) {
      const reports = await Promise.all(Array.from({ length: k }, (_, i) => queue.run(job(schedule.yaml, `rerun-${i + 1}`))));
      if (reports.some((r) => r === undefined)) return; // interrupted: the reruns start again on resume
      finding.rate = reproductionRate(reports.map((r) => reproduces(finding.signature.failures, judgeRun(r!, schedule.doc, cfg.knownIssues))));
      deps.progress(`explore: ${key}: ${rateText(finding.rate)}`);
      await save();
    }
    const progress = state.shrinking[key];
    const from = progress ? (parseYamlDoc(progress.yaml) ?? schedule.doc) : schedule.doc;
    const log = [...(progress?.steps ?? [])];
    let reportDir = progress?.reportDir ?? path.join("runs", schedule.name);
    const failingDir = new Map<string, string>();
    let n = progress?.runs ?? 0;
    const r =
      finding.rate.reproduced === 0
        ? undefined
        : await shrink(from, {
            k,
            maxRuns: Math.max(0, (cfg.shrinkRuns ?? 60) - n),
            maxMs: Math.max(0, Math.min(cfg.shrinkMs ?? 2 * 3600_000, deadline - now())),
            now,
            signal: stop.signal,
            comment: `pgchaos explore: shrinking ${key}, from ${schedule.name}`,
            runner: async (c) => {
              const sub = path.join("runs", schedule.name, `shrink-${String(++n).padStart(3, "0")}`);
              const report = await queue.run(job(c.yaml, path.basename(sub)));
              if (!report) return false;
              const ok = reproduces(finding.signature.failures, judgeRun(report, c.doc, cfg.knownIssues));
              if (ok) failingDir.set(c.yaml, sub);
              return ok;
            },
            onStep: async (st, c) => {
              reportDir = failingDir.get(c.yaml) ?? reportDir;
              log.push({ ...st, runs: n });
              state.shrinking[key] = { yaml: c.yaml, steps: log, runs: n, reportDir };
              deps.progress(`explore: ${key}: shrink step ${st.pass}: ${st.what} (${st.events} fault/action step(s) left, ${n} shrink run(s))`);
              await save();
            },
          });
    if (r?.stopped === "interrupted") {
      // Resumed from state.shrinking next time; the runs it spent count against its budget.
      if (state.shrinking[key]) state.shrinking[key].runs = n;
      return;
    }
    const minimalDoc = r?.minimal ?? from;
    const stopped = r ? r.stopped : `not shrunk: none of ${k} reruns reproduced it`;
    const kept = settleMinimal(state.book, finding, {
      signature: signatureOf(finding.signature.failures, minimalDoc),
      steps: countEvents(minimalDoc),
      shrinkSteps: log.length,
      runs: n,
      stopped,
      log: log.map((st) => `${st.pass}: ${st.what}`),
      report: reportDir,
    });
    delete state.shrinking[key];
    if (findingDir(kept) !== key) await rm(path.join(out, "findings", key), { recursive: true, force: true });
    const dir = path.join(out, "findings", findingDir(kept));
    await mkdir(dir, { recursive: true });
    if (kept === finding) {
      const named = {
        ...minimalDoc,
        name: `${schedule.name}-min`,
        description: `Minimal schedule of an explore finding (${finding.signature.failures.join(", ")}), shrunk from ${schedule.name} in ${log.length} step(s); ${rateText(finding.rate)}.`,
      };
      await writeFile(path.join(dir, "minimal.yaml"), toYaml(named, `pgchaos explore finding ${findingDir(kept)}; a scenario like any other (drop it into scenarios/)`));
      await writeFile(path.join(dir, "original.yaml"), schedule.yaml);
    }
    await writeFindingFiles(out, kept);
    deps.progress(`explore: ${findingDir(kept)}: ${stopped}; minimal schedule ${path.join(dir, "minimal.yaml")}`);
    await save();
    await writeFindingsIndex(out, state);
  };

  // Findings an earlier session left unfinished go on first.
  for (const f of state.book.findings.filter((x) => !x.minimal)) {
    // Schedules are drawn again from their index: the same options give the same YAML.
    const index = Number(/-(\d+)$/.exec(f.schedules[0])?.[1]);
    if (Number.isInteger(index)) startInvestigation(f, generateSchedule(cfg.options, index));
  }

  deps.progress(`explore: seed ${cfg.options.seed}${previous ? ` (resuming: ${done.size} schedule(s) done)` : ""}; ${cfg.jobsNow ? `up to ${cfg.jobs}` : cfg.jobs} lab(s) at a time; results in ${out}`);
  /** A lab that could not even produce a report (runLab threw): the exploration stops, keeping what it has. */
  let failure: { e: unknown } | undefined;
  const jobsNow = () => Math.max(1, Math.min(cfg.jobs, cfg.jobsNow?.() ?? cfg.jobs));
  /**
   * Whether `slot` may take a lab, once the limit allows it (the first slot always may; asked again
   * when a lab starts or ends and every few seconds), or false when nothing is left for it to do.
   */
  const admitted = async (slot: number): Promise<boolean> => {
    while (slot >= jobsNow()) {
      if (queue.closed || (budgetSpent() && !investigations.size && !queue.pending)) return false;
      await Promise.race([queue.changed(), new Promise((r) => setTimeout(r, SLOT_RECHECK_MS).unref())]);
    }
    return true;
  };
  const worker = async (slot: number) => {
    for (;;) {
      if (queue.closed && !investigations.size) return;
      if (!(await admitted(slot))) return;
      try {
        const urgent = queue.take();
        if (urgent) {
          let report: RunReport | undefined;
          try {
            report = await labRun(urgent.job);
          } finally {
            urgent.resolve(report);
          }
          continue;
        }
        const index = nextIndex();
        if (index !== undefined) {
          await runSchedule(index);
          continue;
        }
      } catch (e) {
        failure ??= { e };
        stop.abort();
        continue;
      }
      if (!investigations.size) return;
      await queue.changed();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, cfg.jobs) }, (_, slot) => worker(slot)));
    await Promise.all([...investigations]);
    if (failure) throw failure.e;
  } finally {
    deps.signal?.removeEventListener("abort", abort);
    await save();
    await writeFindingsIndex(out, state);
    await writeRunsIndex(out, state);
  }
  const interrupted = !!deps.signal?.aborted;
  deps.progress(`explore: ${interrupted ? "interrupted; run again with the same --out to resume" : "done"}: ${status()}`);
  const findings = state.book.findings;
  return { state, findings, interrupted, exitCode: interrupted ? 130 : findings.length ? 1 : 0 };
}

/* ------------------------------------------------------------------------------------------ */

function parseYamlDoc(yaml: string): Record<string, unknown> | undefined {
  try {
    const d = YAML.parse(yaml) as unknown;
    return d && typeof d === "object" && !Array.isArray(d) ? (d as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const countEvents = (doc: Record<string, unknown>) => (Array.isArray(doc.steps) ? (doc.steps as Record<string, unknown>[]).filter((s) => "fault" in s || "action" in s).length : 0);

/** OUT/index.html, summary.md, summary.json and junit.xml over the schedules' first runs, as `pgchaos run` writes a game day's. */
async function writeRunsIndex(out: string, state: ExploreState): Promise<void> {
  const reports: RunReport[] = [];
  const links = new Map<RunReport, string>();
  for (const r of state.runs) {
    const text = await readFile(path.join(out, r.dir, "report.json"), "utf8").catch(() => undefined);
    if (!text) continue;
    const report = JSON.parse(text) as RunReport;
    reports.push(report);
    links.set(report, path.posix.join(...r.dir.split(path.sep), "report.md"));
  }
  await writeIndex(out, reports, { reportLink: (r) => links.get(r)!, title: `pgchaos explore (seed ${state.seed})` });
}

/** findings/<dir>/finding.json and README.md, from the finding's record (`pgchaos merge` writes a merged finding's with it too). */
export async function writeFindingFiles(out: string, f: Finding): Promise<void> {
  const dir = path.join(out, "findings", findingDir(f));
  const report = f.minimal?.report ? path.relative(dir, path.join(out, f.minimal.report)) : undefined;
  await writeFile(path.join(dir, "finding.json"), `${JSON.stringify(f, null, 2)}\n`);
  const lines = [
    `# Finding ${findingDir(f)}`,
    "",
    `- failures: ${f.signature.failures.join(", ")}`,
    `- schedules that failed this way: ${f.schedules.join(", ")} (the first was shrunk: [original.yaml](original.yaml))`,
    ...(f.rate ? [`- reproduction: ${rateText(f.rate)}${f.mergedFrom ? ` (reruns of ${f.schedules[0]})` : ""}`] : []),
    ...(f.minimal
      ? [
          `- minimal schedule: [minimal.yaml](minimal.yaml), ${f.minimal.steps} fault/action step(s), after ${f.minimal.shrinkSteps} shrink step(s) and ${f.minimal.runs} shrink run(s); stopped: ${f.minimal.stopped}`,
          ...(report ? [`- a failing run of it: [report.md](${report}/report.md)`] : []),
          "",
          "## Shrink steps",
          "",
          ...(f.minimal.log?.length ? f.minimal.log.map((l, i) => `${i + 1}. ${l}`) : ["none"]),
        ]
      : []),
    ...(f.mergedFrom
      ? [
          "",
          "## Shards that found it",
          "",
          "Each rate is of the reruns of that shard's own schedule: rates of different schedules are not added up.",
          "",
          ...f.mergedFrom.map(
            (m) =>
              `- ${m.shard ? `shard ${m.shard}` : m.out}: [${m.dir}](../../${m.out}/findings/${m.dir}/README.md), ${m.schedules} schedule(s); ${m.rate ? `${m.rate.reproduced}/${m.rate.runs} reruns of ${m.schedule} reproduced it` : `${m.schedule} not rerun yet`}; ${m.minimalSteps !== undefined ? `minimal ${m.minimalSteps} step(s)` : "not shrunk"}`,
          ),
        ]
      : []),
    "",
  ];
  await writeFile(path.join(dir, "README.md"), lines.join("\n"));
}

const rateCell = (r: Finding["rate"]) => (r ? `${r.reproduced}/${r.runs}` : "rerunning");

/** The OUTs a merged exploration was made of (`pgchaos merge`), as named on its findings page. */
export interface MergedShard {
  /** Relative to the merged OUT, `/`-separated. */
  out: string;
  shard?: string;
}

/** OUT/findings.md, findings.json and findings.html: every finding with its rate and links, and what known issues explained. */
export async function writeFindingsIndex(out: string, state: Pick<ExploreState, "seed" | "done" | "labRuns" | "book">, merged?: readonly MergedShard[]): Promise<void> {
  const rows = state.book.findings.map((f) => ({
    dir: findingDir(f),
    failures: f.signature.failures,
    schedules: f.schedules.length,
    // A merged finding's rates are of different schedules: each with the schedule it is of, none added up.
    rate: f.mergedFrom ? f.mergedFrom.map((m) => `${rateCell(m.rate)} (${m.schedule})`).join(", ") : rateCell(f.rate),
    minimal: f.minimal ? `${f.minimal.steps} step(s), ${f.minimal.stopped}` : "shrinking",
  }));
  const explained = Object.entries(state.book.explained);
  const from = merged?.length ? `Merged from ${merged.map((m) => (m.shard ? `shard ${m.shard} (${m.out})` : m.out)).join(", ")}.` : undefined;
  const md = [
    `# pgchaos explore (seed ${state.seed})`,
    "",
    `${state.done.length} schedule(s) run, ${state.labRuns} lab run(s), ${rows.length} finding(s).`,
    ...(from ? ["", from] : []),
    "",
    "| finding | failures | schedules | reproduced | minimal |",
    "|---|---|---|---|---|",
    ...rows.map((r) => `| [${r.dir}](findings/${r.dir}/README.md) | ${r.failures.join(", ")} | ${r.schedules} | ${r.rate} | ${r.minimal} |`),
    "",
    explained.length ? `Explained by known issues (counted, not findings): ${explained.map(([id, n]) => `${id} ${n}×`).join(", ")}.` : "No failure was explained by a known issue.",
    "",
  ].join("\n");
  const html = `<!doctype html><meta charset="utf-8"><title>pgchaos explore ${state.seed}</title>
<h1>pgchaos explore (seed ${state.seed})</h1>
<p>${state.done.length} schedule(s) run, ${state.labRuns} lab run(s), ${rows.length} finding(s). <a href="index.html">All runs</a></p>
${from ? `<p>${esc(from)}</p>\n` : ""}<table><tr><th>finding</th><th>failures</th><th>schedules</th><th>reproduced</th><th>minimal</th></tr>
${rows.map((r) => `<tr><td><a href="findings/${esc(r.dir)}/minimal.yaml">${esc(r.dir)}</a></td><td>${esc(r.failures.join(", "))}</td><td>${r.schedules}</td><td>${esc(r.rate)}</td><td>${esc(r.minimal)}</td></tr>`).join("\n")}
</table>
<p>${explained.length ? `Explained by known issues: ${explained.map(([id, n]) => `${esc(id)} ${n}×`).join(", ")}` : "No failure was explained by a known issue."}</p>
`;
  await writeFileAtomic(path.join(out, "findings.md"), md);
  await writeFileAtomic(path.join(out, "findings.json"), `${JSON.stringify({ seed: state.seed, findings: state.book.findings, explained: state.book.explained }, null, 2)}\n`);
  await writeFileAtomic(path.join(out, "findings.html"), html);
}
