import type Dockerode from "dockerode";
import { History } from "../history/history.js";
import { Recorder, type RecorderOptions } from "../recorder/recorder.js";
import type { StartedLab } from "../lab/start-lab.js";
import { sleep } from "../util/time.js";
import { containerCpuSec } from "../lab/run-cpu.js";

/** Each of the lab's containers' CPU time so far, seconds. */
async function labCpuSec(docker: Dockerode, lab: StartedLab["lab"]): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(lab.nodes.map(async (n) => [n.name, await containerCpuSec(docker, n.containerId)] as const)));
}

export interface ObserverWindow {
  name: string;
  /** Cores each container and the harness kept busy over the window. */
  cores: Record<string, number>;
  events: number;
}

/**
 * What observing costs the lab it observes: the same running lab measured over windows of
 * `windowMs`: idle (no recorder), then under each recorder configuration, then idle again.
 * Every window's cores per container (cgroup CPU time over wall time) and for this process.
 * A recorder's share is its window minus the mean of the idle ones.
 */
export async function measureObserver(docker: Dockerode, started: StartedLab, configs: { name: string; opts: RecorderOptions }[], windowMs: number): Promise<ObserverWindow[]> {
  const lab = started.lab;
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const windows: ObserverWindow[] = [];
  const measure = async (name: string, history: History) => {
    const c0 = await labCpuSec(docker, lab);
    const h0 = process.cpuUsage();
    const w0 = performance.now();
    await sleep(windowMs);
    const sec = (performance.now() - w0) / 1000;
    const h = process.cpuUsage(h0);
    const c1 = await labCpuSec(docker, lab);
    const cores: Record<string, number> = {};
    for (const k of Object.keys(c0)) cores[k] = (c1[k] - c0[k]) / sec;
    cores.harness = (h.user + h.system) / 1e6 / sec;
    windows.push({ name, cores, events: history.all().length });
  };
  await measure("idle", new History());
  for (const c of configs) {
    const history = new History();
    const recorder = new Recorder(lab, history, now, c.opts);
    recorder.start();
    // Its first seconds look closely (attention.ts) and open its connections: not the steady state.
    await sleep(6000);
    await measure(c.name, history);
    await recorder.stop();
  }
  await measure("idle", new History());
  return windows;
}
