import type { Fault } from "../fault.js";
import { ContainerStop } from "../container-stop/container-stop.js";
import { ProcessPause } from "../process-pause/process-pause.js";
import { ProcessKill } from "../process-kill/process-kill.js";

export type EtcdOutageMode = "stop" | "pause" | "kill";

/** A majority of n members: the smallest set whose loss costs the quorum. */
export function majorityOf(members: readonly string[]): string[] {
  return members.slice(0, Math.floor(members.length / 2) + 1);
}

/** Make one or more etcd members unavailable the chosen way: container stop, SIGSTOP, or kill -9 kept down. */
export function etcdOutage(targets: string[], mode: EtcdOutageMode, type: string): Fault {
  switch (mode) {
    case "stop":
      return new ContainerStop(targets, type);
    case "pause":
      return new ProcessPause(targets, "etcd", type);
    case "kill":
      return new ProcessKill(targets, "etcd", "KILL", true, type);
  }
}
