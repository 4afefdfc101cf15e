import type { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import { NodeSampler } from "./node-sampler.js";
import { DcsSampler } from "./dcs-sampler.js";
import { HaproxySampler, HAPROXY_SAMPLE_MS } from "./haproxy-sampler.js";
import { DcsEndpointSampler, DCS_ENDPOINT_SAMPLE_MS } from "./dcs-endpoint-sampler.js";
import { hasHaproxy } from "../lab/haproxy.js";
import { DcsWatchRecorder } from "./dcs-watch-recorder.js";
import { sleep } from "../util/time.js";
import { HarnessStallMonitor } from "./harness-stall.js";

export interface RecorderOptions {
  /** Target interval between two samples of the same node. */
  intervalMs: number;
  /** Per-request timeout; a frozen node costs this much, then sampling goes on. */
  timeoutMs: number;
  /** The etcd member the DCS watch is pinned to (dcs-watch-recorder.ts); no watch without one. */
  dcsWatchMember?: string;
}

/**
 * Samples every Patroni node and the DCS in independent loops (one per node, one for the
 * DCS), each every `intervalMs` or as soon as its previous sample finished. Container log
 * lines are appended by the runner (via the lab's log follower). Never changes the cluster.
 */
export class Recorder {
  private running = false;
  private loops: Promise<void>[] = [];
  private samplers: NodeSampler[] = [];
  private endpointSamplers: DcsEndpointSampler[] = [];
  private readonly stalls = new HarnessStallMonitor();
  private watch?: DcsWatchRecorder;

  constructor(
    private readonly lab: Lab,
    private readonly history: History,
    private readonly now: () => number,
    private readonly opts: RecorderOptions = { intervalMs: 200, timeoutMs: 1000 },
  ) {}

  /** pgchaos's own stalls, for probes outside the recorder that judge their failures the same way. */
  get stallMonitor(): HarnessStallMonitor {
    return this.stalls;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A failed sample taken while pgchaos itself stalled is recorded as unknown (harness-stall.ts).
    this.stalls.start();
    this.samplers = this.lab.patroniNodes().map((n) => new NodeSampler(this.lab, n.name, this.opts.timeoutMs, this.stalls));
    for (const s of this.samplers) this.loops.push(this.loop(() => s.sample(this.now, this.history)));
    const dcs = new DcsSampler(this.lab, this.opts.timeoutMs, this.stalls);
    this.loops.push(this.loop(() => dcs.sample(this.now, this.history)));
    // Every change of every key, with its revision, alongside the poll the conditions read.
    if (this.opts.dcsWatchMember) {
      this.watch = new DcsWatchRecorder(this.lab, this.opts.dcsWatchMember);
      this.watch.begin(this.now, this.history);
    }
    // Which etcd member each Patroni node is connected to (its socket table).
    this.endpointSamplers = this.lab.patroniNodes().map((n) => new DcsEndpointSampler(this.lab, n.name));
    for (const ep of this.endpointSamplers) {
      this.loops.push(this.loop(() => ep.sample(this.now, this.history), DCS_ENDPOINT_SAMPLE_MS));
    }
    // Which servers HAProxy routes to, when the lab has one.
    if (hasHaproxy(this.lab)) {
      const hp = new HaproxySampler(this.lab, this.opts.timeoutMs);
      this.loops.push(this.loop(() => hp.sample(this.now, this.history), HAPROXY_SAMPLE_MS));
    }
  }

  private async loop(fn: () => Promise<void>, intervalMs = this.opts.intervalMs) {
    while (this.running) {
      const started = performance.now();
      await fn().catch(() => {});
      const wait = intervalMs - (performance.now() - started);
      if (wait > 0 && this.running) await sleep(wait);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
    this.stalls.stop();
    for (const s of this.samplers) s.close();
    for (const s of this.endpointSamplers) s.close();
    await this.watch?.stop();
  }
}
