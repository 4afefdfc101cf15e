import type { Lab } from "./lab-api.js";
import { EtcdHealthy } from "../wait-strategies/etcd-healthy.js";
import { LeaderElected } from "../wait-strategies/leader-elected.js";
import { ReplicasStreaming } from "../wait-strategies/replicas-streaming.js";
import { monoMs } from "../util/time.js";
import type { Progress } from "../util/progress.js";
import type { SetupPhaseMarks, SetupPhases } from "./setup-phases.js";

export interface ReadyTimings {
  /** Seconds from `t0` until each phase held. */
  etcdSec: number;
  leaderSec: number;
  replicasSec: number;
  leader: string;
  /** The whole start-up split into phases (seconds since `t0`). */
  phases: SetupPhases;
}

/** Ready means: etcd healthy, a leader, every replica streaming with lag 0. */
export async function waitUntilReady(
  lab: Lab,
  t0: number,
  start: { createSec: number; marks: SetupPhaseMarks },
  progress: Progress, timeoutMs = 180_000, signal?: AbortSignal): Promise<ReadyTimings> {
  const etcd = new EtcdHealthy();
  const leader = new LeaderElected();
  const replicas = new ReplicasStreaming(() => leader.leader);
  await etcd.waitUntilReady(lab, timeoutMs, signal);
  const etcdSec = (monoMs() - t0) / 1000;
  progress(`etcd healthy after ${etcdSec.toFixed(1)} s`);
  await leader.waitUntilReady(lab, timeoutMs, signal);
  const leaderSec = (monoMs() - t0) / 1000;
  progress(`leader ${leader.leader} after ${leaderSec.toFixed(1)} s`);
  await replicas.waitUntilReady(lab, timeoutMs, signal);
  const replicasSec = (monoMs() - t0) / 1000;
  progress(`replicas streaming after ${replicasSec.toFixed(1)} s`);
  const phases: SetupPhases = { ...start.marks.freeze(), createSec: start.createSec, etcdSec, leaderSec, replicasSec };
  return { etcdSec, leaderSec, replicasSec, leader: leader.leader!, phases };
}
