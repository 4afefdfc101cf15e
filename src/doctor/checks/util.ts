import type { ClockOffset, ClockSample, DcsRead, HttpProbe, Snapshot } from "../model.js";

/** The parts of Patroni 3.0.2's GET /patroni answer the checks read (it has no member name). */
export interface StatusBody {
  state?: string;
  role?: string;
  postmaster_start_time?: string;
  timeline?: number;
  xlog?: { location?: number; received_location?: number; replayed_location?: number };
  replication?: { application_name?: string; client_addr?: string | null; state?: string }[];
  database_system_identifier?: string;
  patroni?: { version?: string; scope?: string };
  tags?: Record<string, unknown>;
  pause?: boolean;
  failsafe_mode_is_active?: boolean;
}

/** The answer of a probe when it looks like Patroni's status JSON. */
export function statusBody(p: HttpProbe | undefined): StatusBody | undefined {
  const b = p?.body;
  if (!b || typeof b !== "object" || Array.isArray(b)) return undefined;
  const o = b as StatusBody;
  return typeof o.state === "string" || typeof o.role === "string" ? o : undefined;
}

/** primary | replica | the raw role. */
export function normRole(role: unknown): string | undefined {
  if (typeof role !== "string") return undefined;
  return role === "master" || role === "primary" ? "primary" : role;
}

/**
 * The WAL position Patroni's switchover/failover check takes from an answer (ha.py
 * _MemberStatus.from_api_response): no `xlog` = the member counts as unreachable; a primary's
 * answer (`xlog.location`) = position False, i.e. 0; a replica's = max(received, replayed).
 */
export function checkPosition(b: StatusBody): { kind: "none" } | { kind: "primary" } | { kind: "replica"; pos: number } {
  if (!b.xlog) return { kind: "none" };
  if (b.xlog.location) return { kind: "primary" };
  return { kind: "replica", pos: Math.max(b.xlog.received_location ?? 0, b.xlog.replayed_location ?? 0) };
}

/** A node's own current WAL position from its answer (primary: location; replica: max(received, replayed)). */
export function ownPosition(b: StatusBody): number | undefined {
  if (!b.xlog) return undefined;
  if (b.xlog.location) return b.xlog.location;
  return Math.max(b.xlog.received_location ?? 0, b.xlog.replayed_location ?? 0);
}

export interface Settings {
  ttl: number;
  loop_wait: number;
  retry_timeout: number;
  maximum_lag_on_failover: number;
  failsafe_mode: boolean;
  paused: boolean;
}

/** Dynamic configuration with Patroni 3.0.2's defaults for what is absent. */
export function settingsOf(dcs: DcsRead | undefined): Settings {
  const c = (dcs?.config ?? {}) as Record<string, unknown>;
  const num = (k: string, d: number) => (typeof c[k] === "number" ? (c[k] as number) : typeof c[k] === "string" && c[k] !== "" && !isNaN(Number(c[k])) ? Number(c[k]) : d);
  return {
    ttl: num("ttl", 30),
    loop_wait: num("loop_wait", 10),
    retry_timeout: num("retry_timeout", 10),
    maximum_lag_on_failover: num("maximum_lag_on_failover", 1048576),
    failsafe_mode: c.failsafe_mode === true,
    paused: c.pause === true,
  };
}

/** The cluster's last WAL position as Patroni uses it (cluster.last_lsn: /status optime, legacy /optime/leader, else the leader's member key). */
export function lastLsn(dcs: DcsRead | undefined): number | undefined {
  if (!dcs) return undefined;
  if (typeof dcs.status?.optime === "number") return dcs.status.optime;
  if (typeof dcs.optimeLeader === "number" && !isNaN(dcs.optimeLeader)) return dcs.optimeLeader;
  const x = dcs.leader ? dcs.members[dcs.leader]?.xlog_location : undefined;
  return typeof x === "number" ? x : undefined;
}

/**
 * Offset of a remote clock (remote minus here, ms) from `Date` headers. A header shows whole
 * seconds, truncated: the remote time at the answer lay in [D, D + 1000) while ours lay in
 * [tStart, tEnd], so the offset lies in [D - tEnd, D + 1000 - tStart]. Samples taken at
 * different fractions of a second narrow it; their intersection is returned (their hull, when
 * they disagree: the clock stepped meanwhile).
 */
export function clockOffset(samples: readonly ClockSample[]): ClockOffset | undefined {
  const iv = samples
    .map((s) => ({ d: Date.parse(s.date), s }))
    .filter((x) => !isNaN(x.d))
    .map(({ d, s }) => ({ lo: d - s.tEnd, hi: d + 1000 - s.tStart }));
  if (!iv.length) return undefined;
  let lo = Math.max(...iv.map((i) => i.lo));
  let hi = Math.min(...iv.map((i) => i.hi));
  if (lo > hi) {
    lo = Math.min(...iv.map((i) => i.lo));
    hi = Math.max(...iv.map((i) => i.hi));
  }
  return { lo, hi, samples: iv.length };
}

export const fmtBytes = (n: number): string =>
  n >= 1048576 ? `${(n / 1048576).toFixed(n >= 10 * 1048576 ? 0 : 1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(0)} kB` : `${n} B`;

export const fmtOffset = (o: ClockOffset): string => {
  const mid = (o.lo + o.hi) / 2;
  return `${mid >= 0 ? "+" : ""}${(mid / 1000).toFixed(1)} s ±${((o.hi - o.lo) / 2000).toFixed(1)}`;
};

/** Host part of a URL (empty when it does not parse). */
export function urlHost(url: string | undefined): string {
  if (!url) return "";
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  } catch {
    return "";
  }
}

export type Check = (s: Snapshot) => import("../model.js").Finding[];
