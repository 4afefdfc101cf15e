/** What the iptables faults (partition, packet-loss) share: one chain per fault instance in each target. */
import type { NodeRef } from "../../scenario/primitives.js";
import type { FaultContext } from "../fault.js";
import type { StepProblem } from "../kind.js";

/** An iptables chain name for a fault instance: `PGCHAOS-<prefix><ID>` within iptables' 28 characters. */
export function chainName(prefix: string, id: string): string {
  return `PGCHAOS-${prefix}${id.replace(/[^A-Za-z0-9]/g, "").slice(0, 20 - prefix.length).toUpperCase()}`;
}

/** Unhooks and deletes a chain; idempotent, and fine after a partial inject. */
export function chainHealScript(chain: string): string {
  return `while iptables -D INPUT -j ${chain} 2>/dev/null; do :; done; while iptables -D OUTPUT -j ${chain} 2>/dev/null; do :; done; iptables -F ${chain} 2>/dev/null; iptables -X ${chain} 2>/dev/null; true`;
}

/**
 * Addresses of the peers on the other end of the links: `from`, or every lab node but the targets.
 * A `from` node that is also a target is left out: the loader refuses that when both are written
 * as the same text, but a role (`leader@start`) resolves at run time and may name a node of
 * `from` (explore draws such steps); cutting a node from its own address would break its local
 * connections (Patroni to its PostgreSQL at its own IP), not a link.
 */
export function peerIps(ctx: Pick<FaultContext, "lab">, targets: readonly string[], from: readonly string[] | undefined): string[] {
  const names = (from ?? ctx.lab.nodes.map((n) => n.name)).filter((n) => !targets.includes(n));
  return names.map((n) => ctx.lab.node(n).ip).filter(Boolean);
}

/** A link needs two different nodes: a `from` entry that is also a target is a problem. */
export function fromIsNotTarget(p: { targets: NodeRef[]; from: "all" | NodeRef[] }, message: (text: string) => string): StepProblem[] {
  if (p.from === "all") return [];
  const targetTexts = new Set(p.targets.map((t) => t.text));
  return p.from.flatMap((f, j) => (targetTexts.has(f.text) ? [{ path: ["from", j], message: message(f.text) }] : []));
}
