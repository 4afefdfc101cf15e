import type { Finding, Snapshot } from "../model.js";

/** The cluster has a leader key, held by a member that has a member key. */
export function leaderCheck(s: Snapshot): Finding[] {
  if (!s.dcs) return [];
  if (!s.dcs.leader) return [{ code: "no-leader", severity: "error", subject: "cluster", message: `no leader key under ${s.namespace}${s.scope}/: the cluster has no primary` }];
  if (!s.dcs.members[s.dcs.leader]) {
    return [{ code: "no-leader", severity: "error", subject: s.dcs.leader, message: `the leader key names ${s.dcs.leader}, which has no member key` }];
  }
  return [];
}
