/**
 * What a run's Patroni configuration promises about acknowledged writes: the replication
 * settings no-acked-write-lost judges a lost write against (docs/scenario-format.md,
 * "Invariants"). Patroni's documentation (replication_modes.rst):
 *
 * - asynchronous (synchronous_mode off, the default): a failover may lose what the promoted
 *   replica had not received; maximum_lag_on_failover (default 1048576 bytes) bounds it, "worst
 *   case bounded by maximum_lag_on_failover bytes of transaction log plus the amount that is
 *   written in the last ttl seconds", because the primary's position is not sampled in real time;
 * - synchronous_mode on (and synchronous_mode_strict), or quorum (Patroni 4.x): no standby is
 *   promoted unless it has every transaction that may have been acknowledged.
 */
import type { Scenario } from "./schema.js";
import { inRange } from "../versions/range.js";

export type SynchronousMode = "off" | "on" | "quorum";

export interface ReplicationSettings {
  /** bootstrap.dcs.synchronous_mode as Patroni reads it: "quorum" (4.x), on (true, "on", "yes", 1), else off. */
  synchronous_mode: SynchronousMode;
  synchronous_mode_strict: boolean;
  /** Bytes. */
  maximum_lag_on_failover: number;
  /** Seconds: the documented worst case adds what the primary wrote in the last ttl seconds. */
  ttl: number;
}

/** The settings a run was judged against, or why the record cannot vouch for them. */
export type ReplicationPromise = ReplicationSettings | { unknown: string };

export const isKnownReplication = (p: ReplicationPromise | undefined): p is ReplicationSettings => p !== undefined && !("unknown" in p);

/** Patroni's parse_bool (utils.py): on/true/yes/1 and off/false/no/0, case-insensitive; anything else undefined. */
function parseBool(v: unknown): boolean | undefined {
  const s = String(v).toLowerCase();
  if (["on", "true", "yes", "1"].includes(s)) return true;
  if (["off", "false", "no", "0"].includes(s)) return false;
  return undefined;
}

/** synchronous_mode as Patroni 4.x's global_config reads it (3.x reads "quorum" as off: promiseOnPatroni). */
function syncMode(v: unknown): SynchronousMode {
  if (String(v).toLowerCase() === "quorum") return "quorum";
  return parseBool(v) ? "on" : "off";
}

function wholeNumber(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The replication settings a scenario starts its cluster with: its `patroni:` block, then what a
 * node's `patroni_config` sets under bootstrap.dcs (which node bootstraps the cluster's
 * configuration is a race, so where nodes differ the strictest reading is taken: synchronous if
 * any node says so, the smallest maximum_lag_on_failover and ttl). The scenario-level
 * `patroni_config` cannot change synchronous_mode or maximum_lag_on_failover (pgchaos keeps them,
 * lab/team-config.ts) but can set synchronous_mode_strict (as the `patroni:` block can). Settings at the top level of
 * patroni.yml are not read by Patroni for these keys (config.py takes them from the DCS).
 *
 * A scenario whose steps change Patroni's dynamic configuration during the run (a `dcs` action
 * putting `config`, `patronictl edit-config`) has no single promise: unknown, with why.
 */
export function replicationPromiseOf(s: Scenario): ReplicationPromise {
  for (const [i, step] of s.steps.entries()) {
    if (step.kind !== "action") continue;
    const a = step as unknown as { action: string; put?: string; args?: unknown };
    const editConfig = a.action === "patronictl" && Array.isArray(a.args) && a.args.some((x) => x === "edit-config");
    if ((a.action === "dcs" && a.put === "config") || editConfig)
      return { unknown: `step ${i + 1} changes Patroni's dynamic configuration during the run (${editConfig ? "patronictl edit-config" : "dcs put config"}), so the promise in force at a loss is not known` };
  }
  const out: ReplicationSettings = {
    synchronous_mode: s.patroni.synchronous_mode,
    synchronous_mode_strict: s.patroni.synchronous_mode !== "off" && s.patroni.synchronous_mode_strict,
    maximum_lag_on_failover: s.patroni.maximum_lag_on_failover,
    ttl: s.patroni.ttl,
  };
  const team = record(record(record(s.patroni_config)?.bootstrap)?.dcs);
  if (team && parseBool(team.synchronous_mode_strict)) out.synchronous_mode_strict = true;
  for (const o of Object.values(s.nodes)) {
    const dcs = record(record(o.patroni_config.bootstrap)?.dcs);
    if (!dcs) continue;
    if ("synchronous_mode" in dcs) {
      const m = syncMode(dcs.synchronous_mode);
      if (m === "on" || (m === "quorum" && out.synchronous_mode === "off")) out.synchronous_mode = m;
    }
    if (parseBool(dcs.synchronous_mode_strict)) out.synchronous_mode_strict = true;
    const lag = wholeNumber(dcs.maximum_lag_on_failover);
    if (lag !== undefined) out.maximum_lag_on_failover = Math.min(out.maximum_lag_on_failover, lag);
    const ttl = wholeNumber(dcs.ttl);
    if (ttl !== undefined && ttl > 0) out.ttl = Math.min(out.ttl, ttl);
  }
  return out;
}

/** "synchronous_mode on (strict)", "asynchronous replication" ... for messages. */
export function describeReplication(r: ReplicationSettings): string {
  if (r.synchronous_mode === "off") return "asynchronous replication";
  return `synchronous_mode ${r.synchronous_mode}${r.synchronous_mode_strict ? " with synchronous_mode_strict" : ""}`;
}

/** The first Patroni with quorum commit (global_config.is_quorum_commit_mode). */
const QUORUM_SINCE = "4.0.0";

/**
 * The promise as the run's Patroni kept it: before 4.0, `synchronous_mode: quorum` is no mode
 * Patroni knows, and its check_mode reads it through parse_bool as off (3.0.2's
 * dcs/__init__.py, 3.3's global_config.py): the cluster ran asynchronous, and a loss is judged
 * against that, with a note saying the configured quorum was not in force. Judged as quorum, a
 * loss within maximum_lag_on_failover would read "lost with synchronous replication" on a
 * cluster that never replicated synchronously. An unknown version changes nothing.
 */
export function promiseOnPatroni(p: ReplicationPromise | undefined, patroni: string | undefined): { promise: ReplicationPromise | undefined; note?: string } {
  if (!isKnownReplication(p) || p.synchronous_mode !== "quorum" || !inRange(patroni, `<${QUORUM_SINCE}`)) return { promise: p };
  return {
    promise: { ...p, synchronous_mode: "off", synchronous_mode_strict: false },
    note: `synchronous_mode: quorum is configured, but Patroni ${patroni} has no quorum commit (it came in ${QUORUM_SINCE}) and reads the value as off: the cluster replicated asynchronously, and lost writes are judged against that`,
  };
}
