import type { Fault, FaultContext } from "../fault.js";
import type { RequestKind } from "../../dcs-proxy/request-kind.js";
import type { Toxic } from "../../dcs-proxy/types.js";
import { describeToxic } from "../../dcs-proxy/proxy.js";
import { requireProxy } from "./dcs-proxy.js";

/**
 * A toxic on the targets' etcd traffic through the DCS proxy, removed at heal: latency
 * (`dcs-latency`) or failing requests (`dcs-error`). `reset` also resets the connections already
 * open that carried a matching kind (so `requests: [watch]` cuts the open watch stream: the
 * node has to open a new one). Heal reports how many requests it hit.
 */
export class DcsToxicFault implements Fault {
  private ids = new Map<string, string>();

  constructor(
    readonly type: "dcs-latency" | "dcs-error",
    readonly targets: string[],
    private readonly toxic: Toxic,
  ) {}

  async inject(ctx: FaultContext) {
    const proxy = requireProxy(ctx, this.type);
    for (const node of this.targets) {
      this.ids.set(node, await proxy.addToxic(node, this.toxic));
      // A reset also hits what is already open (a watch stream sends no new request to hit).
      if (this.toxic.fault === "reset") {
        const n = await proxy.resetConnections(node, this.toxic.kinds, this.toxic.members);
        ctx.log(`${node}: ${n} open connection(s) reset`);
      }
    }
    ctx.log(`${this.targets.join(", ")}: ${describeToxic(this.toxic)}`);
  }

  async heal(ctx: FaultContext, node: string) {
    const proxy = requireProxy(ctx, this.type);
    const id = this.ids.get(node);
    if (id === undefined) return;
    const s = await proxy.removeToxic(node, id);
    if (s) ctx.log(`${node}: ${this.type} removed: it matched ${s.matched} requests${this.toxic.fault ? `, ${s.faulted} failed (${this.toxic.fault})` : ""}`);
    this.ids.delete(node);
  }
}

export function latencyToxic(p: { latency: number; jitter?: number; requests?: RequestKind[] }, members?: string[]): Toxic {
  return { latencyMs: p.latency, jitterMs: p.jitter, kinds: p.requests, members };
}

export function errorToxic(
  p: { error: Toxic["fault"]; requests?: RequestKind[]; probability?: number; message?: string; shape?: Toxic["shape"] },
  members?: string[],
): Toxic {
  return { fault: p.error, kinds: p.requests, probability: p.probability, message: p.message, ...(p.shape && p.shape !== "unary-v1" ? { shape: p.shape } : {}), members };
}
