import type { History } from "../history/history.js";
import { lastKnownLeaderAt, leaderAt } from "../history/primary.js";

export type AnyNodeRef = { type: "node"; text: string; name: string } | { type: "leader" | "replica" | "sync"; text: string; step: string };

/**
 * Resolves `leader@<step>` / `replica@<step>` from the recorded history: the leader when that
 * step began (history/primary.ts: the DCS leader key's holder, else the writable node); a replica is the
 * first node by name that reported the replica role then, else the first other node. With no
 * leader known at that moment, resolving fails. `sync@<step>` is the synchronous standby the
 * DCS's /sync key named for that leader in the last readable DCS sample at or before then (the
 * first by name when it names several); without one, resolving fails. Resolved once, then fixed.
 */
export class NodeRefResolver {
  private readonly memo = new Map<string, string>();
  constructor(
    private readonly history: History,
    private readonly stepStarts: Map<string, number>,
    private readonly patroniNodes: readonly string[],
  ) {}

  resolve = (ref: { text: string }): string => {
    const r = ref as AnyNodeRef;
    if (r.type === "node") return r.name;
    const hit = this.memo.get(r.text);
    if (hit) return hit;
    const t = this.stepStarts.get(r.step);
    if (t === undefined) throw new Error(`${r.text}: step '${r.step}' has not started yet`);
    const leader = this.leaderAt(t);
    // Without a known leader there is no telling a replica from it: an error, never a guess
    // (a guess once named the leader as `replica@start`).
    if (!leader) throw new Error(`${r.text}: no leader known when step '${r.step}' began`);
    if (r.type === "sync") {
      const d = this.history.latest("dcs", (s) => s.reachable, t);
      const sync = d?.sync && d.sync.leader === leader ? d.sync.standbys.find((n) => this.patroniNodes.includes(n)) : undefined;
      if (!sync)
        throw new Error(
          `${r.text}: no synchronous standby of ${leader} known when step '${r.step}' began (${d?.sync ? `the sync key names ${d.sync.standbys.join(", ") || "none"} for ${d.sync.leader ?? "no leader"}` : "no sync key in the DCS: is synchronous_mode on?"})`,
        );
      this.memo.set(r.text, sync);
      return sync;
    }
    const node =
      r.type === "leader"
        ? leader
        : (this.patroniNodes.find((n) => n !== leader && this.history.latest("node", (s) => s.node === n, t)?.role === "replica") ??
          this.patroniNodes.find((n) => n !== leader));
    if (!node) throw new Error(`${r.text}: no ${r.type} known when step '${r.step}' began`);
    this.memo.set(r.text, node);
    return node;
  };

  /** The leader when a step began (history/primary.ts), or the last one the DCS named if none was known then. */
  leaderAt(t: number): string | undefined {
    return leaderAt(this.history, this.patroniNodes, { at: t }) ?? lastKnownLeaderAt(this.history, { at: t });
  }
}
