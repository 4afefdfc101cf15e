import type { Fault, FaultContext } from "../fault.js";
import { etcdOutage, type EtcdOutageMode } from "../shared/etcd-outage.js";

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
  heal(ctx: FaultContext, target: string) {
    return this.inner.heal(ctx, target);
  }
  manualHeal(target: string, container: string) {
    return this.inner.manualHeal?.(target, container) ?? "";
  }
}
