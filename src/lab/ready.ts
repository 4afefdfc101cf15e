import type { Lab } from "./lab-api.js";
import { EtcdHealthy } from "../wait-strategies/etcd-healthy.js";
import { LeaderElected } from "../wait-strategies/leader-elected.js";
import { ReplicasStreaming } from "../wait-strategies/replicas-streaming.js";
import { monoMs } from "../util/time.js";
import { patroniRest } from "./lab-clients.js";
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
  await wakeLeaderLoop(lab, leader.leader!);
  await replicas.waitUntilReady(lab, timeoutMs, signal);
  const replicasSec = (monoMs() - t0) / 1000;
  progress(`replicas streaming after ${replicasSec.toFixed(1)} s`);
  const phases: SetupPhases = { ...start.marks.freeze(), createSec: start.createSec, etcdSec, leaderSec, replicasSec };
  return { etcdSec, leaderSec, replicasSec, leader: leader.leader!, phases };
}

/**
 * Has the new leader run its HA loop now instead of loop_wait after its bootstrap: that loop
 * creates the replicas' replication slots. A replica whose basebackup ends first starts
 * PostgreSQL before its slot exists, its walreceiver fails ("replication slot does not exist")
 * and waits wal_retrieve_retry_interval (5 s) before it tries again: one start in three took
 * 5 s longer. PATCH /config with a value the configuration already has writes nothing and wakes
 * the loop (patronictl edit-config's call; api.py do_PATCH_config in 3.0.2 to 4.1). Best effort:
 * a refusal only leaves the start as slow as it was.
 */
async function wakeLeaderLoop(lab: Lab, leader: string): Promise<void> {
  const rest = patroniRest(lab, leader);
  try {
    const config = (await rest.get("/config", 2000)).body as { loop_wait?: number } | undefined;
    if (typeof config?.loop_wait === "number") await rest.patch("/config", { loop_wait: config.loop_wait }, 2000);
  } catch {
    /* the start goes on as Patroni paces it */
  }
}
