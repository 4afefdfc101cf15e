import type { FaultContext } from "../fault.js";
import type { DcsProxyControl } from "../../dcs-proxy/types.js";
import { UserFacingError } from "../../util/errors.js";

/** The lab's DCS proxy, or a clear error for a lab started without one. */
export function requireProxy(ctx: FaultContext, fault: string): DcsProxyControl {
  const p = ctx.lab.dcsProxy;
  if (!p) throw new UserFacingError(`fault '${fault}' acts through the DCS proxy, but this lab has none: set topology.dcs_proxy: true (or leave it unset)`);
  return p;
}

/** "leader pg1 (the DCS says pg3)" for a node's cache as the proxy fed it. */
export async function describeView(ctx: FaultContext, proxy: DcsProxyControl, node: string): Promise<string> {
  const view = await proxy.leaderView(node);
  const dcs = ctx.history.latest("dcs", (d) => d.reachable);
  const mine = view === undefined ? "unknown" : (view ?? "none");
  const actual = dcs ? (dcs.leader ?? "none") : "unknown";
  return `leader key in ${node}'s cache: ${mine}${actual === mine ? " (as in the DCS)" : `, in the DCS: ${actual}`}`;
}
