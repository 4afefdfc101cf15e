import type { Fault, FaultContext } from "../fault.js";
import { signalService, type ServiceProcess } from "../shared/process-control.js";

/** A clean restart: SIGTERM to the main process; the supervisor (or Patroni, for postgres) starts it again. Nothing to heal. */
export class ProcessRestart implements Fault {
  readonly type = "process-restart";
  constructor(
    readonly targets: string[],
    private readonly process: ServiceProcess,
  ) {}
  async inject(ctx: FaultContext) {
    for (const node of this.targets) {
      const pid = await signalService(ctx.lab, node, this.process, "TERM");
      ctx.log(`${node}: SIGTERM ${this.process} (pid ${pid}); it will be started again`);
    }
  }
  /** One-shot: nothing to undo. */
  async heal() {}
}
