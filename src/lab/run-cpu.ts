import type Dockerode from "dockerode";
import type { RunCpu } from "../history/events.js";
import { LABEL_RUN } from "./labels.js";

/**
 * The CPU a run has spent so far: every container carrying its run label (the lab's nodes, the
 * DCS proxy, the reaper), read from the engine's stats (cgroup usage, so a remote engine answers
 * too), and this harness process since `harnessSince` (at -jN each lab's harness is a process of
 * its own; at -j1 labs run one after another in this one). A container that cannot be read
 * counts 0: the figure is a lower bound, never a guess.
 */
export async function runCpu(docker: Dockerode, runId: string, harnessSince: NodeJS.CpuUsage): Promise<RunCpu> {
  const harness = process.cpuUsage(harnessSince);
  const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] }) }).catch(() => []);
  const secs = await Promise.all(containers.map((c) => containerCpuSec(docker, c.Id).catch(() => 0)));
  const round = (x: number) => Math.round(x * 100) / 100;
  return { labCoreSec: round(secs.reduce((a, b) => a + b, 0)), harnessCoreSec: round((harness.user + harness.system) / 1e6) };
}

/** One container's CPU time so far, seconds (the engine's cgroup figure, without waiting for a second sample). */
export async function containerCpuSec(docker: Dockerode, id: string): Promise<number> {
  const s = (await docker.getContainer(id).stats({ stream: false, "one-shot": true } as { stream: false })) as { cpu_stats?: { cpu_usage?: { total_usage?: number } } };
  return (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e9;
}
