import type { Fault, FaultContext } from "../fault.js";

/** Stop the containers (SIGTERM, then SIGKILL after `timeoutSec`) until heal starts them again; data survives. */
export class ContainerStop implements Fault {
  readonly type: string;
  constructor(
    readonly targets: string[],
    type = "container-stop",
    private readonly timeoutSec = 2,
  ) {
    this.type = type;
  }
  async inject(ctx: FaultContext) {
    await Promise.all(this.targets.map((n) => ctx.lab.stop(n, this.timeoutSec)));
  }
  async heal(ctx: FaultContext, target: string) {
    await ctx.lab.start(target);
  }
  manualHeal(_target: string, container: string) {
    return `docker start ${container}`;
  }
}
