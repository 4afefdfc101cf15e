import type { Fault, FaultContext } from "../fault.js";
import { signalService, type ServiceProcess } from "../shared/process-control.js";

/**
 * SIGSTOP a service's main process until heal (SIGCONT): alive to the kernel (its sockets
 * accept connections) but answering nothing — how Patroni's own acceptance tests simulate a
 * DCS outage with a stopped etcd.
 */
export class ProcessPause implements Fault {
  readonly type: string;
  constructor(
    readonly targets: string[],
    private readonly process: ServiceProcess,
    type = "process-pause",
  ) {
    this.type = type;
  }

  async inject(ctx: FaultContext) {
    for (const node of this.targets) {
      const pid = await signalService(ctx.lab, node, this.process, "STOP");
      ctx.log(`${node}: SIGSTOP ${this.process} (pid ${pid})`);
    }
  }

  async heal(ctx: FaultContext, target: string) {
    await signalService(ctx.lab, target, this.process, "CONT");
  }
  manualHeal(_target: string, container: string) {
    return `docker exec ${container} pkill -CONT -x ${this.process === "postgres" ? "postgres" : this.process}`;
  }
}
