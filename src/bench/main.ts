#!/usr/bin/env node
/**
 * `npm run bench`: prints the figures pgchaos's speed and memory goals are judged by. Nothing
 * here asserts: it measures and prints (wall times, the harness's CPU seconds and RSS, the
 * containers' memory, sampling intervals achieved, scenario wall times).
 *   BENCH_REPS=3               lab start-ups to time
 *   BENCH_SCENARIOS=a,b|none   scenario files (substring match) to run; default: all in scenarios/
 *   BENCH_OBSERVER_SEC=30      window of the observer's share of a lab (idle, old recorder, today's; 0 skips it)
 *   BENCH_PROXY_REQUESTS=3000  range requests each way for the DCS proxy's added latency (0 skips it)
 *   --gameday                  also game days over the same scenarios (BENCH_SCENARIOS), one after another:
 *                              BENCH_GAMEDAY_PASSES=1,auto,auto,auto (-jN or the default), with wall times,
 *                              CPU, and whether each scenario's outcome is the same in every pass
 * The CI suite's wall time is printed from reports/vitest-results.json when a CI run left one.
 *   BENCH_STACKS=bookworm,trixie  stacks whose image build (cached) and lab start-up are timed (default: bookworm)
 *   BENCH_FROM_NOTHING=1       also time each stack's image from nothing: REMOVES its lab and base images first
 *                              (do not set it while other labs use them)
 */
import os from "node:os";
import path from "node:path";
import { readdirSync } from "node:fs";
import { ensureEngine } from "../engine/docker-engine.js";
import { ensureLabImage, labImageTag } from "../image/lab-image.js";
import { stackByName } from "../stacks/stacks.js";
import { startLab } from "../lab/start-lab.js";
import { clusterSpec } from "../lab/topology.js";
import { newRunId } from "../lab/run-id.js";
import { loadScenario } from "../scenario/load.js";
import { toRunInput } from "../runner/run-input.js";
import { runScenarioInput } from "../runner/run-scenario.js";
import { runCleanup } from "../util/cleanup.js";
import { monoMs } from "../util/time.js";
import { median, percentile } from "./stats.js";
import { procStat } from "../util/proc-stat.js";
import { PHASE_ORDER, type SetupPhases } from "../lab/setup-phases.js";
import type Dockerode from "dockerode";
import { measureProxyLatency } from "../dcs-proxy/bench.js";
import { measureObserver } from "./observer.js";
import { runGameDay, type GameDayRun } from "../gameday/gameday.js";
import { AutoJobs, busyCoreSec, thisMachine } from "../gameday/jobs.js";
import { parseRepeatPolicy } from "../gameday/schedule.js";
import { existsSync, readFileSync } from "node:fs";
import type { RunReport } from "../report/model.js";

const out = (s: string) => process.stdout.write(s + "\n");
const quiet = () => {};
const cpuSec = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function containersMemoryMiB(docker: Dockerode, ids: string[]): Promise<number[]> {
  return Promise.all(
    ids.map(async (id) => {
      const s = (await docker.getContainer(id).stats({ stream: false })) as { memory_stats?: { usage?: number; stats?: { cache?: number; inactive_file?: number } } };
      const usage = s.memory_stats?.usage ?? 0;
      const cache = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0;
      return (usage - cache) / 2 ** 20;
    }),
  );
}

async function benchLab(docker: Dockerode, reps: number, stack?: string) {
  if (reps <= 0) return;
  out(`## lab start-up${stack ? ` on stack ${stack}` : ""}: 3 etcd + 3 Patroni, image cached, ${reps} runs`);
  out("run  create_s  etcd_s  leader_s  replicas_s  harness_cpu_s  containers_mem_MiB  setup_core_s  teardown_core_s");
  const rows: number[][] = [];
  const phases: SetupPhases[] = [];
  for (let i = 0; i < reps; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = monoMs();
    const runId = newRunId();
    // The whole machine's busy time (engine, containers, harness): a run's setup and teardown
    // cost, meaningful on a quiet machine only (the load is printed with each row).
    const busy0 = busyCoreSec() ?? NaN;
    const s = await startLab(clusterSpec(), { progress: quiet, reportDir: path.join("reports", `bench-${runId}`), runId, ...(stack ? { stack } : {}) });
    const setupCore = (busyCoreSec() ?? NaN) - busy0;
    const cpu = cpuSec(process.cpuUsage(cpu0));
    const mem = await containersMemoryMiB(docker, s.lab.nodes.map((n) => n.containerId));
    const busy1 = busyCoreSec() ?? NaN;
    await s.dispose();
    const teardownCore = (busyCoreSec() ?? NaN) - busy1;
    const wall = (monoMs() - t0) / 1000;
    rows.push([s.createSec, s.ready.etcdSec, s.ready.leaderSec, s.ready.replicasSec, cpu, mem.reduce((a, b) => a + b, 0), setupCore, teardownCore]);
    phases.push(s.ready.phases);
    const r = rows[rows.length - 1];
    out(`${String(i + 1).padEnd(4)} ${r.map((x) => x.toFixed(1).padStart(8)).join("  ")}   (wall incl. teardown ${wall.toFixed(1)} s, load ${os.loadavg()[0].toFixed(1)})`);
    // A lab's containers settle before the next start-up, so each row measures one lab alone.
    await new Promise((r) => setTimeout(r, 2000));
  }
  const med = rows[0].map((_, c) => median(rows.map((r) => r[c])));
  out(`med  ${med.map((x) => x.toFixed(1).padStart(8)).join("  ")}`);
  printPhases(phases);
  out(`ready (replicas streaming) median ${med[3].toFixed(1)} s; goal <= 8 s (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs)`);
}

/** The start-up breakdown: each milestone's median time since the lab's start and the median step from the one before. */
function printPhases(runs: SetupPhases[]) {
  out("phase (median of runs)                  at_s  step_s  per run (at_s)");
  let prev = 0;
  for (const [key, label] of PHASE_ORDER) {
    const xs = runs.map((p) => p[key]).filter((x): x is number => x !== undefined);
    if (!xs.length) {
      out(`${label.padEnd(38)} ${"-".padStart(5)}`);
      continue;
    }
    const at = median(xs);
    out(`${label.padEnd(38)} ${at.toFixed(1).padStart(5)}  ${(at - prev).toFixed(1).padStart(6)}  ${runs.map((p) => p[key]?.toFixed(1) ?? "-").join(" ")}`);
    prev = at;
  }
}

async function benchDcsProxy(docker: Dockerode, image: string, requests: number) {
  out("");
  out(`## DCS proxy: added latency (the proxy container on the lab network, one etcd 3.4 member, keep-alive client)`);
  const cpu0 = process.cpuUsage();
  const r = await measureProxyLatency(docker, image, requests);
  const row = (name: string, xs: number[]) =>
    `${name.padEnd(34)} ${[50, 90, 99].map((p) => percentile(xs, p).toFixed(3).padStart(7)).join("  ")}  ${Math.max(...xs).toFixed(3).padStart(7)}`;
  out(`what (${r.requests} range requests each way, interleaved; ${r.watchAdded.length} watch events)  p50_ms   p90_ms   p99_ms   max_ms`);
  out(row("range, straight to etcd", r.direct));
  out(row("range, through the proxy", r.proxied));
  const shift = [50, 90, 99].map((p) => percentile(r.proxied, p) - percentile(r.direct, p));
  out(`${"added: percentile difference".padEnd(34)} ${shift.map((x) => x.toFixed(3).padStart(7)).join("  ")}`);
  out(row("added: pairwise (incl. pair noise)", r.added));
  out(row("added per watch event (pairwise)", r.watchAdded));
  const [p50, , p99] = shift;
  out(
    `proxy adds p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms per request (through-proxy minus direct percentiles; goal p50 < 1 ms, p99 < 5 ms: ${p50 < 1 && p99 < 5 ? "met" : "NOT met"}); ` +
      `watch events p50 ${percentile(r.watchAdded, 50).toFixed(3)} ms, p99 ${percentile(r.watchAdded, 99).toFixed(3)} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs; harness CPU ${cpuSec(process.cpuUsage(cpu0)).toFixed(1)} s`,
  );
}

/**
 * Achieved intervals between consecutive samples of the same node (a sample recorded as unknown
 * because the harness stalled counts as taken), and how many were unknown.
 */
function sampleGaps(report: RunReport): { gaps: number[]; nodes: number; unknown: number } {
  const gaps: number[] = [];
  const last = new Map<string, number>();
  let unknown = 0;
  for (const e of report.events) {
    if (e.kind === "unknown-sample" && e.of === "node") unknown++;
    else if (e.kind !== "node") continue;
    if (!e.node) continue;
    const p = last.get(e.node);
    if (p !== undefined) gaps.push(e.t - p);
    last.set(e.node, e.t);
  }
  return { gaps, nodes: last.size, unknown };
}

function scenarioFiles(filter: string[] | undefined): string[] {
  const dir = path.resolve("scenarios");
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => !filter || filter.some((x) => f.includes(x)))
    .sort()
    .map((f) => path.join(dir, f));
}

async function benchScenarios(filter: string[] | undefined) {
  const files = scenarioFiles(filter);
  if (!files.length) return;
  out("");
  out(`## scenarios (${files.length})`);
  out("scenario                                  outcome  wall_s  setup_s  harness_cpu_s  sample_p50_ms  sample_p99_ms  samples");
  const reportsDir = path.resolve("reports", `bench-${newRunId()}`);
  for (const f of files) {
    const input = toRunInput(await loadScenario(f));
    const cpu0 = process.cpuUsage();
    const t0 = monoMs();
    const { report } = await runScenarioInput(input, { reportsDir, timeScale: 1, progress: quiet });
    const wall = (monoMs() - t0) / 1000;
    const cpu = cpuSec(process.cpuUsage(cpu0));
    const { gaps, nodes } = sampleGaps(report);
    out(
      `${input.scenario.name.padEnd(41)} ${report.outcome.padEnd(7)}  ${wall.toFixed(1).padStart(6)}  ${((report.durations.setupMs ?? 0) / 1000).toFixed(1).padStart(7)}  ${cpu.toFixed(1).padStart(13)}  ${percentile(gaps, 50).toFixed(0).padStart(13)}  ${percentile(gaps, 99).toFixed(0).padStart(13)}  ${String(gaps.length + nodes).padStart(7)}`,
    );
  }
}

/**
 * The same scenarios as several game days, one after another (BENCH_GAMEDAY_PASSES, default
 * "1,auto,auto,auto": -j1 and then three at the default -j, which learns from each run's cost):
 * per pass its wall time, the labs it ran at once, the machine's busy core-seconds and the floor
 * they set, and per scenario its outcome in each pass and its core-seconds (report.json
 * durations.cpu). What running labs in parallel must not change: the outcomes.
 */
async function benchGameDay(filter: string[] | undefined, passes: (number | "auto")[]) {
  const files = scenarioFiles(filter);
  if (!files.length) return;
  const items = await Promise.all(files.map(async (f) => ({ input: toRunInput(await loadScenario(f)) })));
  out("");
  out(`## game day: ${items.length} scenario(s), passes ${passes.map((p) => (p === "auto" ? "-j default" : `-j${p}`)).join(", ")}`);
  const results: { label: string; wallMs: number; runs: GameDayRun[] }[] = [];
  for (const p of passes) {
    const machine = await thisMachine();
    const jobs = p === "auto" ? new AutoJobs(machine) : p;
    const dir = path.resolve("reports", `bench-gameday-${p === "auto" ? "auto" : `j${p}`}-${newRunId()}`);
    const load0 = os.loadavg()[0];
    const busy0 = busyCoreSec();
    const cpu0 = harnessCpuSec();
    const r = await runGameDay(items, { dir, jobs, policy: parseRepeatPolicy({}), timeScale: 1, progress: quiet });
    const busy = busy0 === undefined ? undefined : busyCoreSec()! - busy0;
    const label = p === "auto" ? `-j default (${r.mostAtOnce} at most; a lab ${r.labCores?.cores.toFixed(2)} core, ${r.labCores?.from})` : `-j${p}`;
    results.push({ label, wallMs: r.wallMs, runs: r.runs });
    const perRun = r.runs.map((x) => x.report.durations.cpu).filter((c) => c !== undefined).map((c) => c.labCoreSec + c.harnessCoreSec);
    out(
      `${label}: wall ${(r.wallMs / 1000).toFixed(0)} s; load average ${load0.toFixed(1)} at the start (other work busy ${machine.otherBusyCores.toFixed(2)} cores), ${os.loadavg()[0].toFixed(1)} at the end, ${os.cpus().length} CPUs; reports ${dir}`,
    );
    // Every core-second the game day used (labs, engine, harness): no schedule on this machine's
    // cores finishes it in less than that divided by the cores. Only meaningful with the engine
    // on this machine.
    if (busy !== undefined) {
      out(
        `  CPU: machine busy ${busy.toFixed(0)} core-s (harness ${cpu0 === undefined ? "?" : (harnessCpuSec()! - cpu0).toFixed(0)} s), ${(busy / (r.wallMs / 1000)).toFixed(2)} cores on average; ` +
          `floor on ${os.availableParallelism()} cores at this cost: ${(busy / os.availableParallelism()).toFixed(0)} s; ` +
          `per run (containers + harness, measured at teardown): median ${median(perRun).toFixed(1)}, max ${Math.max(...perRun).toFixed(1)} core-s`,
      );
    }
  }
  const outcome = (rs: GameDayRun[], name: string) => rs.find((x) => x.report.scenario.name === name)?.report.outcome ?? "-";
  const p99 = (rs: GameDayRun[], name: string) => {
    const r = rs.find((x) => x.report.scenario.name === name);
    if (!r) return "-";
    const g = sampleGaps(r.report);
    return `${percentile(g.gaps, 99).toFixed(0)}${g.unknown ? `(${g.unknown}u)` : ""}`;
  };
  const coreSec = (rs: GameDayRun[], name: string) => {
    const c = rs.find((x) => x.report.scenario.name === name)?.report.durations.cpu;
    return c ? (c.labCoreSec + c.harnessCoreSec).toFixed(1) : "-";
  };
  out(`${"scenario".padEnd(41)} ${results.map((_, i) => `pass${i + 1}`.padEnd(8)).join(" ")} same  core-s per pass / sample_p99_ms per pass`);
  let same = 0;
  for (const { input } of items) {
    const name = input.scenario.name;
    const outs = results.map((x) => outcome(x.runs, name));
    const eq = outs.every((o) => o === outs[0]);
    if (eq) same++;
    out(`${name.padEnd(41)} ${outs.map((o) => o.padEnd(8)).join(" ")} ${(eq ? "yes" : "NO").padEnd(5)} ${results.map((x) => coreSec(x.runs, name)).join(" ")} / ${results.map((x) => p99(x.runs, name)).join(" ")}`);
  }
  out(
    `game days: ${results.map((x) => `${x.label} ${(x.wallMs / 1000).toFixed(0)} s`).join("; ")}; outcomes equal in every pass for ${same} of ${items.length} scenarios; goal: every shipped scenario within 3 min at the default -j`,
  );
}

/**
 * CPU seconds of this process and of its children that have ended (/proc/self/stat utime, stime,
 * cutime, cstime): at -jN each lab's harness is a child process (gameday/child.ts).
 */
function harnessCpuSec(): number | undefined {
  const f = procStat("self");
  // Fields 14-17 of proc(5), in USER_HZ ticks: 100 a second on Linux.
  return f ? (Number(f[14]) + Number(f[15]) + Number(f[16]) + Number(f[17])) / 100 : undefined;
}

/** The CI suite's wall time, from the JSON reporter's file a CI run (.ci/run) leaves behind. */
function ciSuiteWallTime(file = path.resolve("reports", "vitest-results.json")) {
  out("");
  if (!existsSync(file)) {
    out(`## CI suite: no ${path.relative(process.cwd(), file)} (run .ci/run first)`);
    return;
  }
  const r = JSON.parse(readFileSync(file, "utf8")) as { startTime?: number; numPassedTests?: number; numFailedTests?: number; testResults?: { name: string; startTime?: number; endTime?: number }[] };
  const files = r.testResults ?? [];
  const end = files.reduce((m, f) => Math.max(m, f.endTime ?? 0), 0);
  const start = r.startTime ?? files.reduce((m, f) => Math.min(m, f.startTime ?? Infinity), Infinity);
  out(`## CI suite (${path.relative(process.cwd(), file)}): wall ${((end - start) / 60_000).toFixed(1)} min, ${r.numPassedTests ?? "?"} passed, ${r.numFailedTests ?? "?"} failed; goal <= 10 min`);
  const slowest = files
    .filter((f) => f.startTime !== undefined && f.endTime !== undefined)
    .sort((x, y) => y.endTime! - y.startTime! - (x.endTime! - x.startTime!))
    .slice(0, 6);
  for (const f of slowest) out(`  ${((f.endTime! - f.startTime!) / 1000).toFixed(0).padStart(5)} s  ${path.relative(process.cwd(), f.name)}`);
}

/**
 * The observer's share of a lab (issue: "the recorder triples a lab's CPU"): one lab, measured
 * idle, under a recorder that takes every reading every 200 ms (as it did before 2026-12-06, on
 * today's HTTP clients and direct addresses), under today's recorder, and idle again.
 */
async function benchObserver(windowSec: number) {
  if (windowSec <= 0) return;
  out("");
  out(`## observer: one lab, ${windowSec} s windows: idle, recorder reading everything every 200 ms, today's recorder, idle (cores; share = window - mean idle)`);
  const runId = newRunId();
  const s = await startLab(clusterSpec(), { progress: quiet, reportDir: path.join("reports", `bench-${runId}`), runId });
  try {
    await new Promise((r) => setTimeout(r, 5000));
    const watch = s.lab.etcdNodes().at(-1)?.name;
    const base = { intervalMs: 200, timeoutMs: 1000, ...(watch ? { dcsWatchMember: watch } : {}) };
    const windows = await measureObserver(
      s.docker,
      s,
      [
        { name: "every 200 ms", opts: { ...base, restRestingMs: 0, etcdHealthEveryMs: 0, dcsRestingMs: 0, endpointRestingMs: 0 } },
        { name: "today", opts: base },
      ],
      windowSec * 1000,
    );
    const keys = Object.keys(windows[0].cores);
    const idle = windows.filter((w) => w.name === "idle");
    const idleMean = (k: string) => idle.reduce((a, w) => a + w.cores[k], 0) / idle.length;
    const total = (f: (k: string) => number) => keys.reduce((a, k) => a + f(k), 0);
    out(`${"window".padEnd(14)} ${keys.map((k) => k.padStart(7)).join(" ")}   total  share  samples`);
    for (const w of windows) {
      const share = w.name === "idle" ? "" : (total((k) => w.cores[k]) - total(idleMean)).toFixed(3).padStart(6);
      out(`${w.name.padEnd(14)} ${keys.map((k) => w.cores[k].toFixed(3).padStart(7)).join(" ")}  ${total((k) => w.cores[k]).toFixed(3)} ${share.padStart(6)}  ${w.name === "idle" ? "" : w.events}`);
    }
    out(`(load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs; goal: today's share <= 0.05 core)`);
  } finally {
    await s.dispose();
  }
}

/** Image build per stack: from nothing (base and lab image removed first, when asked) and with the layer cache. */
async function benchImages(docker: Dockerode, stacks: string[], fromNothing: boolean) {
  out(`## lab image build per stack${fromNothing ? " (from nothing, then cached)" : " (cached layers)"}`);
  out("stack     from_nothing_s  cached_s  patroni  postgresql  etcd");
  const progress = (l: string) => process.stderr.write(`bench: ${l}\n`);
  for (const name of stacks) {
    const stack = stackByName(name);
    let scratch = NaN;
    if (fromNothing) {
      const tag = await labImageTag(stack);
      const bases = await docker.listImages({ filters: JSON.stringify({ reference: [`pgchaos-base:${stack.suite}-*`] }) });
      for (const ref of [tag, ...bases.flatMap((b) => b.RepoTags ?? [])]) await docker.getImage(ref).remove({ force: true }).catch(() => {});
      const t0 = monoMs();
      await ensureLabImage(docker, progress, { stack: name });
      scratch = (monoMs() - t0) / 1000;
    }
    const t1 = monoMs();
    const tag = await ensureLabImage(docker, progress, { stack: name, force: true });
    const cached = (monoMs() - t1) / 1000;
    const l = (await docker.getImage(tag).inspect()).Config.Labels ?? {};
    out(
      `${name.padEnd(9)} ${(Number.isNaN(scratch) ? "-" : scratch.toFixed(1)).padStart(14)}  ${cached.toFixed(1).padStart(8)}  ${l["pgchaos.version.patroni"] ?? "?"}  ${(l["pgchaos.version.postgresql"] ?? "?").split(" ")[0]}  ${l["pgchaos.version.etcd"] ?? "?"}`,
    );
  }
  out(`(load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}, ${os.cpus().length} cores)`);
  out("");
}

async function main() {
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  // The -jN of the game-day comparison is what `pgchaos run` would choose here, read before this
  // bench's own labs raise the load average (read after them, it came out as 1: -j1 against -j1).
  const gameDayPasses = (process.env.BENCH_GAMEDAY_PASSES ?? "1,auto,auto,auto").split(",").map((x) => (x.trim() === "auto" ? ("auto" as const) : Number(x)));
  const docker = await ensureEngine((l) => process.stderr.write(`bench: ${l}\n`));
  const image = await ensureLabImage(docker, (l) => process.stderr.write(`bench: ${l}\n`));
  const cpu0 = process.cpuUsage();
  const t0 = monoMs();
  const stacks = (process.env.BENCH_STACKS ?? "").split(",").map((x) => x.trim()).filter(Boolean);
  for (const st of stacks) stackByName(st);
  if (stacks.length) {
    await benchImages(docker, stacks, process.env.BENCH_FROM_NOTHING === "1");
    for (const st of stacks) await benchLab(docker, Number(process.env.BENCH_REPS ?? "3"), st);
  } else await benchLab(docker, Number(process.env.BENCH_REPS ?? "3"));
  await benchObserver(Number(process.env.BENCH_OBSERVER_SEC ?? "30"));
  const proxyRequests = Number(process.env.BENCH_PROXY_REQUESTS ?? "3000");
  if (proxyRequests > 0) await benchDcsProxy(docker, image, proxyRequests);
  const sc = process.env.BENCH_SCENARIOS;
  const gameday = process.argv.includes("--gameday");
  // (with --gameday, its -j1 pass runs the same scenarios one at a time: no need to run them twice)
  if (sc !== "none" && !gameday) await benchScenarios(sc ? sc.split(",") : undefined);
  if (gameday) await benchGameDay(sc && sc !== "none" ? sc.split(",") : undefined, gameDayPasses);
  ciSuiteWallTime();
  out("");
  out("## harness (this process)");
  out(`wall ${((monoMs() - t0) / 1000).toFixed(1)} s, CPU ${cpuSec(process.cpuUsage(cpu0)).toFixed(1)} s, max RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
}

main()
  .then(() => runCleanup())
  .then(() => process.exit(0))
  .catch(async (e) => {
    await runCleanup();
    process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
