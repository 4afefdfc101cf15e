import type { Finding, Snapshot } from "../model.js";
import { identify, primaryAnswer } from "./identity.js";
import { checkPosition, fmtBytes, lastLsn, normRole, settingsOf } from "./util.js";

/** A candidate's lag as Patroni's switchover/failover check computes it, or why it has none. */
export type CheckLag = { kind: "lag"; bytes: number; primaryAnswer: boolean } | { kind: "not running"; state?: string } | { kind: "unreachable" };

export function checkLagOf(s: Snapshot, name: string): CheckLag | undefined {
  const last = lastLsn(s.dcs);
  const m = s.members.find((x) => x.name === name);
  const b = identify(s).get(name)?.body;
  if (!m) return undefined;
  if (!b) return { kind: "unreachable" };
  const p = checkPosition(b);
  if (p.kind === "none") return { kind: "not running", state: b.state };
  if (last === undefined) return undefined;
  if (p.kind === "primary") return { kind: "lag", bytes: last, primaryAnswer: true };
  return { kind: "lag", bytes: Math.max(0, last - p.pos), primaryAnswer: false };
}

/**
 * Replication lag as people see it (the DCS lag column patronictl shows: the cluster's last
 * LSN minus the member key's xlog_location, up to loop_wait old) against what Patroni's
 * switchover/failover check sees (the same last LSN minus the WAL position the member's
 * api_url answers with) and against the primary's pg_stat_replication (who streams).
 */
export function lagCheck(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  const dcs = s.dcs;
  if (!dcs) return out;
  const { maximum_lag_on_failover: max } = settingsOf(dcs);
  const last = lastLsn(dcs);
  const ids = identify(s);
  for (const m of s.members) {
    if (m.name === dcs.leader || m.key.tags?.nofailover === true) continue;
    const id = ids.get(m.name)!;
    const via = id.wrong ? ` (the answer at its api_url is ${id.answersAs ?? "another node"}'s)` : "";
    const lag = checkLagOf(s, m.name);
    const dcsLag = last !== undefined && typeof m.key.xlog_location === "number" ? Math.max(0, last - m.key.xlog_location) : undefined;
    const column = dcsLag === undefined ? "" : `; the lag column from the DCS (patronictl list) shows ${fmtBytes(dcsLag)}`;
    if (!lag || lag.kind === "unreachable") continue; // api-url-unreachable says it
    if (lag.kind === "not running") {
      out.push({
        code: "candidate-not-running",
        severity: "error",
        subject: m.name,
        message:
          `${m.name}'s api_url answers without a WAL position (state ${lag.state ?? "unknown"})${via}: Patroni counts ${m.name} as unreachable, ` +
          `so a switchover or failover to it is refused (412 "no good candidates have been found")`,
      });
      continue;
    }
    if (lag.bytes > max) {
      out.push({
        code: "candidate-lagging",
        severity: "error",
        subject: m.name,
        message:
          (lag.primaryAnswer
            ? `${m.name}'s api_url answers as a primary${via}; Patroni 3.0.2 takes a primary's answer as WAL position 0, so ${m.name} is ${fmtBytes(lag.bytes)} behind`
            : `${m.name} is ${fmtBytes(lag.bytes)} behind the cluster's last position by what its api_url answers${via}`) +
          ` (maximum_lag_on_failover ${fmtBytes(max)}): a switchover or failover to it fails (503, "Member ${m.name} exceeds maximum replication lag")${column}`,
      });
      if (dcsLag !== undefined && dcsLag <= max) {
        out.push({
          code: "lag-column-misleading",
          severity: "warning",
          subject: m.name,
          message: `the lag column shows ${m.name} at ${fmtBytes(dcsLag)}, within maximum_lag_on_failover, while Patroni's switchover check sees ${fmtBytes(lag.bytes)}${via}`,
        });
      }
    }
  }
  // Who streams, by the primary's own pg_stat_replication.
  const primary = primaryAnswer(s, ids);
  if (primary) {
    const streaming = new Set((primary.replication ?? []).filter((r) => r.state === "streaming").map((r) => r.application_name));
    for (const m of s.members) {
      if (m.name === dcs.leader || normRole(m.key.role) !== "replica" || m.key.state !== "running") continue;
      if (!streaming.has(m.name)) {
        out.push({
          code: "replica-not-streaming",
          severity: "warning",
          subject: m.name,
          message: `${m.name} is a running replica by its member key but does not stream from the primary (not in its pg_stat_replication as streaming)`,
        });
      }
    }
  }
  return out;
}
