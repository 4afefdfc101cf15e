import type { Fault, FaultContext } from "../fault.js";

/** Freeze every process of the containers (cgroup freezer, `docker pause`) until heal. */
export class ContainerPause implements Fault {
  readonly type: string;
  constructor(
    readonly targets: string[],
    type = "container-pause",
  ) {
    this.type = type;
  }
  async inject(ctx: FaultContext) {
    for (const n of this.targets) await ctx.lab.pause(n);
  }
  async heal(ctx: FaultContext, target: string) {
    await ctx.lab.unpause(target);
  }
  manualHeal(_target: string, container: string) {
    return `docker unpause ${container}`;
  }
}
