import type { Lab } from "./lab-api.js";
import { EtcdHealthy } from "../wait-strategies/etcd-healthy.js";
import { LeaderElected } from "../wait-strategies/leader-elected.js";
import { ReplicasStreaming } from "../wait-strategies/replicas-streaming.js";
import { monoMs } from "../util/time.js";
import type { Progress } from "../util/progress.js";

export interface ReadyTimings {
  /** Seconds from `t0` until each phase held. */
  etcdSec: number;
  leaderSec: number;
  replicasSec: number;
  leader: string;
}

/** Ready means: etcd healthy, a leader, every replica streaming with lag 0. */
export async function waitUntilReady(lab: Lab, t0: number, progress: Progress, timeoutMs = 180_000, signal?: AbortSignal): Promise<ReadyTimings> {
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
  return { etcdSec, leaderSec, replicasSec, leader: leader.leader! };
}
