import type { Fault, FaultContext } from "../fault.js";
import { signalService, type ServiceProcess } from "../shared/process-control.js";

/**
 * The signal that makes each service stop cleanly and promptly. SIGTERM for Patroni and etcd.
 * For PostgreSQL SIGTERM is a smart shutdown: no new connection, and an end only once every
 * session has ended. Patroni's own session never does, so the postmaster stayed "shutting down"
 * for good while Patroni kept the leader lock (found by explore on sid, reproduced alone on
 * bookworm and sid on 2026-12-06): no restart at all. SIGINT is PostgreSQL's fast shutdown
 * (sessions ended, a shutdown checkpoint), which is what a clean restart is; Patroni starts it again.
 */
const CLEAN_STOP: Record<ServiceProcess, string> = { patroni: "TERM", etcd: "TERM", postgres: "INT" };

/** A clean restart: the main process stopped cleanly (CLEAN_STOP); the supervisor (or Patroni, for postgres) starts it again. Nothing to heal. */
export class ProcessRestart implements Fault {
  readonly type = "process-restart";
  constructor(
    readonly targets: string[],
    private readonly process: ServiceProcess,
  ) {}
  async inject(ctx: FaultContext) {
    const signal = CLEAN_STOP[this.process];
    for (const node of this.targets) {
      const pid = await signalService(ctx.lab, node, this.process, signal);
      ctx.log(`${node}: SIG${signal} ${this.process} (pid ${pid}); it will be started again`);
    }
  }
  /** One-shot: nothing to undo. */
  async heal() {}
}
