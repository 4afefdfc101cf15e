/**
 * What `pgchaos doctor` fetched from a live cluster (a Snapshot: plain JSON, so a run can be
 * saved and the checks replayed on it in unit tests) and what it concluded (Findings).
 *
 * Times are epoch milliseconds of the harness's clock (the machine running the doctor).
 */

/** One HTTP request: where it went, when, and what came back. */
export interface HttpProbe {
  /** The URL as advertised or given (e.g. http://pg2:8008/patroni). */
  url: string;
  /** Where the request really went, when a --resolve mapping applied. */
  via?: string;
  tStart: number;
  tEnd: number;
  /** HTTP status; absent when no answer came (refused, timeout, DNS). */
  status?: number;
  /** Parsed JSON body, when the body was JSON. */
  body?: unknown;
  /** Response `Date` header (1 s resolution). */
  date?: string;
  error?: string;
}

/** A TCP connect to an advertised address. */
export interface TcpProbe {
  host: string;
  port: number;
  via?: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** A `Date` header and when the request that got it was sent and answered. */
export interface ClockSample {
  tStart: number;
  tEnd: number;
  date: string;
}

/** One etcd endpoint given with --etcd. */
export interface EtcdProbe {
  url: string;
  tcp: TcpProbe;
  /** GET /health. */
  health: HttpProbe;
  /** POST /v3/kv/range, linearizable (needs the raft quorum). */
  linearizable: HttpProbe;
  /** The same read, serializable (answered from the member's local data). */
  serializable: HttpProbe;
  /** POST /v3/maintenance/status (member id, raft leader, version). */
  status: HttpProbe;
  clock: ClockSample[];
}

/** A member key's JSON as Patroni 3.0.2 writes it (ha.py touch_member). */
export interface MemberKey {
  conn_url?: string;
  api_url?: string;
  state?: string;
  role?: string;
  version?: string;
  xlog_location?: number;
  timeline?: number;
  tags?: Record<string, unknown>;
  pause?: boolean;
  [k: string]: unknown;
}

/** The DCS as read (linearizable) through one etcd endpoint. */
export interface DcsRead {
  from: string;
  /** When the read was answered: every REST request below was sent after it. */
  at: number;
  leader: string | null;
  members: Record<string, MemberKey>;
  /** Dynamic configuration (/config), as Patroni reads it. */
  config?: Record<string, unknown>;
  /** /status: {"optime": <last leader LSN>, ...} (Patroni >= 3.0). */
  status?: { optime?: number; [k: string]: unknown };
  /** /optime/leader (legacy). */
  optimeLeader?: number;
  /** /initialize: the cluster's system identifier. */
  initialize?: string;
  /** /failsafe: member name -> api_url, written by the leader when failsafe_mode is on. */
  failsafe?: Record<string, string>;
  /** Members of the etcd cluster (its member list): Patroni talks to all of their client URLs. */
  etcdMembers?: { name: string; clientURLs: string[] }[];
}

/** What was fetched for one member of the DCS. */
export interface MemberProbe {
  name: string;
  key: MemberKey;
  /** GET of the advertised api_url (several requests: the first is the one judged, all give clock samples). */
  api?: HttpProbe;
  clock: ClockSample[];
  /** TCP connect to the advertised conn_url's host:port. */
  conn?: TcpProbe;
  /** Addresses the advertised hosts resolve to (lab IPs, or DNS), when known. */
  apiHostAddress?: string;
  connHostAddress?: string;
}

export interface Snapshot {
  /** Format of this object. */
  version: 1;
  takenAt: number;
  scope: string;
  namespace: string;
  etcd: EtcdProbe[];
  /** Absent when no etcd endpoint answered a linearizable read. */
  dcs?: DcsRead;
  dcsErrors?: string[];
  members: MemberProbe[];
  /** Extra Patroni REST endpoints given with --patroni. */
  patroni?: (HttpProbe & { clock: ClockSample[] })[];
}

export type Severity = "error" | "warning";

export interface Finding {
  /** Stable code, e.g. api-url-mismatch (scenarios and scripts match on it). */
  code: FindingCode;
  severity: Severity;
  /** What it is about: a member name, an etcd endpoint, "cluster". */
  subject: string;
  message: string;
  evidence?: string[];
}

export const FINDING_CODES = [
  "api-url-unreachable",
  "api-url-mismatch",
  "api-url-duplicate",
  "conn-url-unreachable",
  "conn-url-mismatch",
  "candidate-lagging",
  "candidate-not-running",
  "lag-column-misleading",
  "replica-not-streaming",
  "no-leader",
  "clock-offset",
  "etcd-unreachable",
  "etcd-half-healthy",
  "etcd-unhealthy",
  "failsafe-active",
  "timing-rule",
  "etcd-request-timeout",
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** Facts the checks derived, for the people table and the JSON (not findings). */
export interface DoctorFacts {
  settings: {
    ttl: number;
    loop_wait: number;
    retry_timeout: number;
    maximum_lag_on_failover: number;
    failsafe_mode: boolean;
    /** Patroni's per-request etcd timeout and tries (patroni/dcs/etcd.py _calculate_timeouts). */
    etcdTimeout: { members: number; perRequestSec: number; triesPerMember: number; membersTried: number };
    paused: boolean;
  };
  members: {
    name: string;
    role?: string;
    apiUrl?: string;
    answersAs?: string;
    apiRole?: string;
    connUrl?: string;
    connReachable?: boolean;
    dcsLag?: number;
    /** Lag as Patroni's switchover check computes it from the api_url answer. */
    checkLag?: number | "not running" | "unreachable";
    clockOffset?: ClockOffset;
  }[];
  etcd: { url: string; tcp: boolean; linearizableMs?: number; linearizableError?: string; health?: boolean; clockOffset?: ClockOffset }[];
  lastLsn?: number;
  /** --patroni URLs: which member's PostgreSQL answered there (same postmaster_start_time). */
  patroni?: { url: string; answersAs?: string; role?: string; error?: string; clockOffset?: ClockOffset }[];
}

/** Offset of a remote clock vs the harness, as an interval (ms): the true offset lies in [lo, hi]. */
export interface ClockOffset {
  lo: number;
  hi: number;
  samples: number;
}

export interface DoctorReport {
  scope: string;
  namespace: string;
  checkedAt: string;
  /** 0 no findings, 1 findings, 2 bad input or the cluster could not be read. */
  exitCode: 0 | 1 | 2;
  error?: string;
  findings: Finding[];
  facts?: DoctorFacts;
  snapshot?: Snapshot;
}
