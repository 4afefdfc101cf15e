import type { Fault, FaultContext } from "./fault.js";
import { holdService, signalService, type ServiceProcess } from "./process-control.js";

/**
 * Kill a service's main process (kill -9 by default). The container's supervisor restarts
 * patroni/etcd at once, as systemd would, unless `keepDown` (then at heal); Patroni restarts
 * a killed postgres itself.
 */
export class ProcessKill implements Fault {
  readonly type = "process-kill";
  constructor(
    readonly targets: string[],
    private readonly process: ServiceProcess,
    private readonly signal: "KILL" | "TERM" = "KILL",
    private readonly keepDown = false,
  ) {}

  async inject(ctx: FaultContext) {
    for (const node of this.targets) {
      if (this.keepDown && this.process !== "postgres") await holdService(ctx.lab, node, this.process, true);
      const pid = await signalService(ctx.lab, node, this.process, this.signal);
      ctx.log(`${node}: sent SIG${this.signal} to ${this.process} (pid ${pid})`);
    }
  }

  async heal(ctx: FaultContext) {
    if (!this.keepDown || this.process === "postgres") return;
    for (const node of this.targets) await holdService(ctx.lab, node, this.process, false);
  }
}
