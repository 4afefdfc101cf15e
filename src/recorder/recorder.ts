import type { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import { NodeSampler, REST_RESTING_MS } from "./node-sampler.js";
import { DcsSampler, ETCD_HEALTH_EVERY_MS } from "./dcs-sampler.js";
import { Attention, due } from "./attention.js";
import { HaproxySampler, HAPROXY_SAMPLE_MS } from "./haproxy-sampler.js";
import { DcsEndpointSampler, DCS_ENDPOINT_SAMPLE_MS } from "./dcs-endpoint-sampler.js";

/** How often the socket tables are read while nothing changes (every DCS_ENDPOINT_SAMPLE_MS within a change). */
export const DCS_ENDPOINT_RESTING_MS = 5000;
/** How often the DCS keys are read while nothing changes (every sample interval within a change). */
export const DCS_RESTING_MS = 1000;
import { hasHaproxy } from "../lab/haproxy.js";
import { DcsWatchRecorder } from "./dcs-watch-recorder.js";
import { sleep } from "../util/time.js";
import { HarnessStallMonitor } from "./harness-stall.js";

export interface RecorderOptions {
  /** Target interval between two samples of the same node (PostgreSQL) and of the DCS keys. */
  intervalMs: number;
  /**
   * Resting intervals of the dear readings, taken every sample only within a change
   * (attention.ts): Patroni's REST API, etcd's health, the socket tables. The defaults are the
   * exported constants; the bench sets them to the sample interval to compare with a recorder
   * that reads everything every time.
   */
  restRestingMs?: number;
  etcdHealthEveryMs?: number;
  dcsRestingMs?: number;
  endpointRestingMs?: number;
  /** Per-request timeout; a frozen node costs this much, then sampling goes on. */
  timeoutMs: number;
  /** The etcd member the DCS watch is pinned to (dcs-watch-recorder.ts); no watch without one. */
  dcsWatchMember?: string;
}

/**
 * Samples every Patroni node and the DCS in independent loops (one per node, one for the
 * DCS), each every `intervalMs` or as soon as its previous sample finished; the readings that
 * cost the cluster most are taken that often only around changes (attention.ts). Container log
 * lines are appended by the runner (via the lab's log follower). Never changes the cluster.
 */
export class Recorder {
  private running = false;
  private loops: Promise<void>[] = [];
  private samplers: NodeSampler[] = [];
  private endpointSamplers: DcsEndpointSampler[] = [];
  private readonly stalls = new HarnessStallMonitor();
  private watch?: DcsWatchRecorder;
  private readonly attention = new Attention();
  private unobserve = () => {};

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
    // The runner's faults, actions and steps are a change too; the first samples look closely.
    this.unobserve = this.history.onAppend((e) => this.attention.observe(e));
    this.attention.raise(this.now());
    const o = this.opts;
    this.samplers = this.lab.patroniNodes().map((n) => new NodeSampler(this.lab, n.name, o.timeoutMs, this.stalls, this.attention, o.restRestingMs ?? REST_RESTING_MS));
    for (const s of this.samplers) this.loops.push(this.loop(() => s.sample(this.now, this.history)));
    const dcs = new DcsSampler(this.lab, o.timeoutMs, this.stalls, o.etcdHealthEveryMs ?? ETCD_HEALTH_EVERY_MS, this.attention);
    this.loops.push(this.loop(this.whenDue(o.dcsRestingMs ?? DCS_RESTING_MS, () => dcs.sample(this.now, this.history))));
    // Every change of every key, with its revision, alongside the poll the conditions read.
    if (this.opts.dcsWatchMember) {
      this.watch = new DcsWatchRecorder(this.lab, this.opts.dcsWatchMember);
      this.watch.begin(this.now, this.history);
    }
    // Which etcd member each Patroni node is connected to (its socket table).
    this.endpointSamplers = this.lab.patroniNodes().map((n) => new DcsEndpointSampler(this.lab, n.name));
    for (const ep of this.endpointSamplers) {
      this.loops.push(this.loop(this.whenDue(o.endpointRestingMs ?? DCS_ENDPOINT_RESTING_MS, () => ep.sample(this.now, this.history)), DCS_ENDPOINT_SAMPLE_MS));
    }
    // Which servers HAProxy routes to, when the lab has one.
    if (hasHaproxy(this.lab)) {
      const hp = new HaproxySampler(this.lab, this.opts.timeoutMs);
      this.loops.push(this.loop(() => hp.sample(this.now, this.history), HAPROXY_SAMPLE_MS));
    }
  }

  /** `sample` at each tick of its loop within a change, else once every `restingMs` (attention.ts). */
  private whenDue(restingMs: number, sample: () => Promise<void>): () => Promise<void> {
    let last: number | undefined;
    return async () => {
      const t = this.now();
      if (!due(this.attention, t, last, restingMs)) return;
      last = t;
      await sample();
    };
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
    this.unobserve();
    await Promise.all(this.loops);
    this.loops = [];
    this.stalls.stop();
    for (const s of this.samplers) s.close();
    for (const s of this.endpointSamplers) s.close();
    await this.watch?.stop();
  }
}
