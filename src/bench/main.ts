#!/usr/bin/env node
/**
 * `npm run bench`: prints the figures pgchaos's speed and memory goals are judged by. Nothing
 * here asserts: it measures and prints (wall times, the harness's CPU seconds and RSS, the
 * containers' memory, sampling intervals achieved, scenario wall times).
 *   BENCH_REPS=3               lab start-ups to time
 *   BENCH_SCENARIOS=a,b|none   scenario files (substring match) to run; default: all in scenarios/
 *   BENCH_PROXY_REQUESTS=3000  range requests each way for the DCS proxy's added latency (0 skips it)
 */
import os from "node:os";
import path from "node:path";
import { readdirSync } from "node:fs";
import { ensureEngine } from "../engine/docker-engine.js";
import { ensureLabImage } from "../image/lab-image.js";
import { startLab } from "../lab/start-lab.js";
import { clusterSpec } from "../lab/topology.js";
import { newRunId } from "../lab/run-id.js";
import { loadScenario } from "../scenario/load.js";
import { toRunInput } from "../runner/run-input.js";
import { runScenarioInput } from "../runner/run-scenario.js";
import { runCleanup } from "../util/cleanup.js";
import { monoMs } from "../util/time.js";
import { median, percentile } from "./stats.js";
import type Dockerode from "dockerode";
import { measureProxyLatency } from "../dcs-proxy/bench.js";

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

async function benchLab(docker: Dockerode, reps: number) {
  if (reps <= 0) return;
  out(`## lab start-up: 3 etcd + 3 Patroni, image cached, ${reps} runs`);
  out("run  create_s  etcd_s  leader_s  replicas_s  harness_cpu_s  containers_mem_MiB");
  const rows: number[][] = [];
  for (let i = 0; i < reps; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = monoMs();
    const runId = newRunId();
    const s = await startLab(clusterSpec(), { progress: quiet, reportDir: path.join("reports", `bench-${runId}`), runId });
    const cpu = cpuSec(process.cpuUsage(cpu0));
    const mem = await containersMemoryMiB(docker, s.lab.nodes.map((n) => n.containerId));
    await s.dispose();
    const wall = (monoMs() - t0) / 1000;
    rows.push([s.createSec, s.ready.etcdSec, s.ready.leaderSec, s.ready.replicasSec, cpu, mem.reduce((a, b) => a + b, 0)]);
    const r = rows[rows.length - 1];
    out(`${String(i + 1).padEnd(4)} ${r.map((x) => x.toFixed(1).padStart(8)).join("  ")}   (wall incl. teardown ${wall.toFixed(1)} s)`);
  }
  const med = rows[0].map((_, c) => median(rows.map((r) => r[c])));
  out(`med  ${med.map((x) => x.toFixed(1).padStart(8)).join("  ")}`);
  out(`ready (replicas streaming) median ${med[3].toFixed(1)} s; goal <= 12 s`);
}

async function benchDcsProxy(docker: Dockerode, image: string, requests: number) {
  out("");
  out(`## DCS proxy: added latency (in-process proxy on the lab network's gateway, one etcd 3.4 member, keep-alive client)`);
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

async function benchScenarios(filter: string[] | undefined) {
  const dir = path.resolve("scenarios");
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .filter((f) => !filter || filter.some((x) => f.includes(x)))
    .sort();
  if (!files.length) return;
  out("");
  out(`## scenarios (${files.length})`);
  out("scenario                                  outcome  wall_s  setup_s  harness_cpu_s  sample_p50_ms  sample_p99_ms  samples");
  const reportsDir = path.resolve("reports", `bench-${newRunId()}`);
  for (const f of files) {
    const input = toRunInput(await loadScenario(path.join(dir, f)));
    const cpu0 = process.cpuUsage();
    const t0 = monoMs();
    const { report } = await runScenarioInput(input, { reportsDir, timeScale: 1, progress: quiet });
    const wall = (monoMs() - t0) / 1000;
    const cpu = cpuSec(process.cpuUsage(cpu0));
    // Achieved interval between consecutive samples of the same node.
    const gaps: number[] = [];
    const last = new Map<string, number>();
    for (const e of report.events) {
      if (e.kind !== "node") continue;
      const p = last.get(e.node);
      if (p !== undefined) gaps.push(e.t - p);
      last.set(e.node, e.t);
    }
    out(
      `${input.scenario.name.padEnd(41)} ${report.outcome.padEnd(7)}  ${wall.toFixed(1).padStart(6)}  ${((report.durations.setupMs ?? 0) / 1000).toFixed(1).padStart(7)}  ${cpu.toFixed(1).padStart(13)}  ${percentile(gaps, 50).toFixed(0).padStart(13)}  ${percentile(gaps, 99).toFixed(0).padStart(13)}  ${String(gaps.length + last.size).padStart(7)}`,
    );
  }
}

async function main() {
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  const docker = await ensureEngine((l) => process.stderr.write(`bench: ${l}\n`));
  const image = await ensureLabImage(docker, (l) => process.stderr.write(`bench: ${l}\n`));
  const cpu0 = process.cpuUsage();
  const t0 = monoMs();
  await benchLab(docker, Number(process.env.BENCH_REPS ?? "3"));
  const proxyRequests = Number(process.env.BENCH_PROXY_REQUESTS ?? "3000");
  if (proxyRequests > 0) await benchDcsProxy(docker, image, proxyRequests);
  const sc = process.env.BENCH_SCENARIOS;
  if (sc !== "none") await benchScenarios(sc ? sc.split(",") : undefined);
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
