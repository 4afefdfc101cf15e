import type { Fault, FaultContext } from "../fault.js";
import { holdService, signalService, type ServiceProcess } from "../shared/process-control.js";

/**
 * Kill a service's main process (kill -9 by default). The container's supervisor restarts
 * patroni/etcd at once, as systemd would, unless `keepDown` (then at heal); Patroni restarts
 * a killed postgres itself.
 */
export class ProcessKill implements Fault {
  constructor(
    readonly targets: string[],
    private readonly process: ServiceProcess,
    private readonly signal: "KILL" | "TERM" = "KILL",
    private readonly keepDown = false,
    readonly type = "process-kill",
  ) {}

  async inject(ctx: FaultContext) {
    for (const node of this.targets) {
      if (this.keepDown && this.process !== "postgres") await holdService(ctx.lab, node, this.process, true);
      const pid = await signalService(ctx.lab, node, this.process, this.signal);
      ctx.log(`${node}: sent SIG${this.signal} to ${this.process} (pid ${pid})`);
    }
  }

  async heal(ctx: FaultContext, target: string) {
    if (!this.keepDown || this.process === "postgres") return;
    await holdService(ctx.lab, target, this.process, false);
  }
  manualHeal(_target: string, container: string) {
    return `docker exec ${container} rm -f /run/pgchaos/hold-${this.process === "etcd" ? "etcd" : "patroni"}`;
  }
}
