import type { Fault, FaultContext } from "./fault.js";
import { ContainerStop } from "./container-stop.js";
import { ProcessPause } from "./process-pause.js";
import { ProcessKill } from "./process-kill.js";

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
      return Object.assign(new ProcessKill(targets, "etcd", "KILL", true), { type }) as Fault;
  }
}

/**
 * etcd loses its quorum: a majority of members become unavailable (incident 5). Patroni is
 * documented to block failover meanwhile and, without failsafe_mode, to demote the primary.
 */
export class EtcdQuorumLoss implements Fault {
  readonly type = "etcd-quorum-loss";
  private readonly inner: Fault;
  constructor(
    readonly targets: string[],
    readonly mode: EtcdOutageMode,
  ) {
    this.inner = etcdOutage(targets, mode, this.type);
  }
  inject(ctx: FaultContext) {
    return this.inner.inject(ctx);
  }
  heal(ctx: FaultContext) {
    return this.inner.heal(ctx);
  }
}
