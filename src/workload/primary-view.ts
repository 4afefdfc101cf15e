import type { History } from "../history/history.js";

/**
 * Where a client would send a write right now, from what the recorder last saw: the node whose
 * newest sample says it is writable (preferring the DCS leader when several claim it), else
 * the DCS leader. Reads the history only.
 */
export function currentPrimary(history: History, nodes: readonly string[]): string | null {
  const dcs = history.latest("dcs", (d) => d.reachable);
  const writable = nodes.filter((n) => history.latest("node", (s) => s.node === n)?.writable);
  if (writable.length === 1) return writable[0];
  if (writable.length > 1) return dcs?.leader && writable.includes(dcs.leader) ? dcs.leader : writable[0];
  return dcs?.leader ?? null;
}
