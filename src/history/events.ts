/**
 * The recorded history of one scenario run: everything pgchaos observed and did, on one time
 * axis. The recorder and the runner append to it; checkers and reports only read it.
 *
 * Times (`t`) are milliseconds since the run's origin (the moment the run started; a "cluster
 * ready" note marks the end of setup),
 * taken from a monotonic clock in the harness, so wall-clock faults inside the lab never
 * distort the record. `wall` on the journal header maps the origin to real time.
 */

/** Patroni's role as the REST API reports it, normalised ("master" -> "primary"). */
export type PatroniRole = "primary" | "replica" | "standby_leader" | "demoted" | "uninitialized" | "unknown";

/** One poll of one Patroni node: its REST view and its PostgreSQL's own answer. */
export interface NodeSample {
  kind: "node";
  t: number;
  node: string;
  /** GET /patroni answered (any HTTP status with a JSON body). */
  restUp: boolean;
  /**
   * When GET /patroni was asked, where that was before `t`: REST is asked every sample only
   * around changes (recorder/attention.ts), and samples in between carry its last answer
   * (restUp, role, state, timeline, paused, failsafeActive, patroniVersion and the LSNs).
   */
  restT?: number;
  role?: PatroniRole;
  /** Patroni's `state`: running, starting, stopped, crashed, ... */
  state?: string;
  timeline?: number;
  /** Primary: xlog.location. Replica: xlog.received_location. Bytes (LSN as a number). */
  receivedLsn?: number;
  /** Replica: xlog.replayed_location. */
  replayedLsn?: number;
  failsafeActive?: boolean;
  paused?: boolean;
  /** GET /patroni's patroni.version: which Patroni answered (it changes with upgrade-patroni). */
  patroniVersion?: string;
  /** PostgreSQL answered a query. */
  pgUp: boolean;
  /** PostgreSQL answered `pg_is_in_recovery() = false` and is not read-only. */
  writable?: boolean;
  /** Replica: pg_stat_wal_receiver shows status 'streaming'. */
  streaming?: boolean;
  /**
   * PostgreSQL's wall clock (clock_timestamp() of its backend) minus the harness's, ms, measured
   * at the query's midpoint (error at most half its round trip): a clock-skew fault's effect.
   */
  pgClockOffsetMs?: number;
  /** Round-trip of this sample, ms. */
  latencyMs: number;
  error?: string;
}

/**
 * A node or DCS sample that failed while pgchaos itself was stalled (its process did not run:
 * event loop blocked or CPUs busy), so the failure says nothing about the cluster: recorded as
 * unknown instead of as a node or the DCS being down. Checkers and conditions read it as no
 * sample (a gap), never as evidence.
 */
export interface UnknownSample {
  kind: "unknown-sample";
  t: number;
  /** What was being sampled. */
  of: "node" | "dcs";
  /** The Patroni node, for `of: "node"`. */
  node?: string;
  /** The longest stall of the harness while the sample was in flight, ms. */
  stallMs: number;
  /** What failed (what the sample would have recorded as its error). */
  error?: string;
}

/** One poll of the DCS through a healthy path: the leader key and the member keys. */
export interface DcsSample {
  kind: "dcs";
  t: number;
  /** Some etcd member answered a linearizable read. */
  reachable: boolean;
  /** Holder of /service/<scope>/leader, null when the key is absent. */
  leader: string | null;
  /** Names of the member keys under /service/<scope>/members/. */
  members: string[];
  /**
   * Per etcd member: answered /health with {"health":"true"}. Asked less often than the keys are
   * read (every second within a change, every 3 s otherwise: recorder/dcs-sampler.ts): each
   * sample carries the latest answers, taken at `etcdHealthT`.
   */
  etcdHealth: Record<string, boolean>;
  /** Name of the etcd raft leader, when known (asked with the health). */
  etcdLeader?: string | null;
  /** When `etcdHealth` and `etcdLeader` were asked (journals before 2026-12-06: `t`, asked with every sample). */
  etcdHealthT?: number;
  /** Lag column as patronictl computes it: primary's xlog minus each member's, from member keys. */
  dcsLagBytes?: Record<string, number>;
  /**
   * Patroni's /sync key (synchronous_mode): the primary it was written for and the standbys it
   * names synchronous (`sync_standby`, comma-separated in the key), plus `quorum` (Patroni 4's
   * quorum mode). Absent when the key is absent (asynchronous replication), and in journals
   * recorded before 2027-01.
   */
  sync?: { leader: string | null; standbys: string[]; quorum?: number };
  error?: string;
}

/**
 * One change of a DCS key, as an etcd3 watch on one pinned etcd member delivered it
 * (recorder/dcs-watch-recorder.ts): every put and delete, in revision order, not a poll.
 */
export interface DcsWatchEvent {
  kind: "dcs-watch";
  t: number;
  /** The etcd member the watch is pinned to. */
  member: string;
  /** Key below /<namespace>/<scope>/: leader, members/pg1, config, failsafe, status, ... */
  key: string;
  type: "put" | "delete";
  /** Revision of the watch response that carried the change (its header). */
  revision: number;
  /** The key's mod_revision: the revision of this very change. */
  modRevision: number;
  /** put: the new value in short (leader: the holder; members/: role, state, xlog; else the start of the value). */
  value?: string;
  /** delete: the value the key had (from the watch's previous key-value). */
  previous?: string;
  /** The key was attached to a lease (Patroni's leader and member keys are). */
  lease?: boolean;
}

/** The etcd3 watch connected, lost its stream, or failed: the gaps in the DcsWatchEvent record. */
export interface DcsWatchStatus {
  kind: "dcs-watch-status";
  t: number;
  member: string;
  state: "connected" | "disconnected" | "error";
  /** Revision the watch (re)started at, when connected. */
  revision?: number;
  detail?: string;
}

/** A scenario step starting or ending. */
export interface StepEvent {
  kind: "step";
  t: number;
  index: number;
  /** Step id from the scenario, or `step-<n>` (n = index + 1, as people count steps). */
  id: string;
  type: "fault" | "heal" | "update" | "action" | "expect" | "sleep" | "probe";
  phase: "start" | "end";
  /** Human text, e.g. "leader is not pg1 within 30s". */
  text: string;
  /** skipped: the step errored and its on_error is continue (detail says why). */
  outcome?: "pass" | "fail" | "error" | "skipped";
  detail?: string;
}

/** A fault injected or healed. */
export interface FaultEvent {
  kind: "fault";
  /**
   * When the fault took effect (inject) or was gone from every target (heal): the moment its
   * command acted, when the fault reports it, else when inject/heal returned.
   */
  t: number;
  /**
   * When inject/heal returned (after verifying and logging), when that is later than `t`.
   * Absent in journals written before it existed, and when the fault reports no earlier moment.
   */
  tEnd?: number;
  /** Instance id (the step id that injected it). */
  id: string;
  /** Fault type, e.g. "etcd-pause". */
  fault: string;
  phase: "inject" | "heal";
  targets: string[];
  ok: boolean;
  error?: string;
  params?: Record<string, unknown>;
}

/** An action against the cluster (switchover, failover, restart, SQL ...) and its outcome. */
export interface ActionEvent {
  kind: "action";
  t: number;
  /** When the action returned. */
  tEnd: number;
  id: string;
  action: string;
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}

/** One write of the workload generator. `t` is the invocation, `tEnd` the completion. */
export interface WriteOp {
  kind: "write";
  t: number;
  tEnd: number;
  seq: number;
  /** Node the write was sent to (null when no primary was known: not sent). */
  node: string | null;
  via: "direct" | "haproxy";
  /** ok = committed and acknowledged; fail = definitely not committed; unknown = timed out or the connection broke mid-commit. */
  outcome: "ok" | "fail" | "unknown";
  error?: string;
  /**
   * The write timed out (connect or query) while pgchaos itself stalled (harness-stall.ts), the
   * longest stall while it was in flight, ms: its timeout says nothing about the cluster. Its
   * outcome is then unknown, and write-availability does not count its time as unavailability.
   * Absent in journals written before it existed (such a write was recorded as fail or unknown).
   */
  stallMs?: number;
}

/** What a final read found: the sequence numbers present on a node after healing. */
export interface FinalRead {
  kind: "final-read";
  t: number;
  node: string;
  /** This node was the primary the verdict is judged against. */
  primary: boolean;
  seqs: number[];
  error?: string;
}

/** A container log line that matched something a scenario or pgchaos watches for. */
export interface LogLine {
  kind: "log";
  t: number;
  node: string;
  line: string;
}

/**
 * A value the runner read on behalf of a condition that the regular samples do not carry
 * (an SQL result, a REST path other than /patroni). Read-only: probes never change the cluster.
 */
export interface ProbeEvent {
  kind: "probe";
  t: number;
  /** Stable key of what was read, e.g. "sql:pg1:select 1" or "rest:pg1:/primary". */
  key: string;
  node: string;
  ok: boolean;
  status?: number;
  value?: unknown;
  error?: string;
  /** The probe failed while pgchaos itself stalled (harness-stall.ts): it says nothing about the node. */
  unknown?: boolean;
  stallMs?: number;
}

/**
 * One poll of HAProxy's statistics: the servers each backend considers UP (Patroni's
 * GET /primary and GET /replica health checks passed), by Patroni node name.
 */
export interface HaproxySample {
  kind: "haproxy";
  t: number;
  /** Servers UP in the "primary" backend (port 5000, checked with GET /primary). */
  primary: string[];
  /** Servers UP in the "replicas" backend (port 5001, checked with GET /replica). */
  replicas: string[];
  /** Servers whose status is neither UP nor DOWN (e.g. "DOWN 1/2", "UP 1/2", "MAINT"), with it. */
  transitions?: Record<string, string>;
  /** The statistics could not be read. */
  error?: string;
}

/**
 * Which etcd members one Patroni node's container is connected to on the client port (2379),
 * from its socket table (what `ss -ti` shows): the DCS endpoint Patroni is using. Patroni's HTTP pool
 * may keep idle connections to members it no longer uses, so `current` is the member whose
 * connection carried data most recently (Patroni sends one request at a time to its current
 * member, and its watch stream runs to that same member), not counting what TCP alone did on a
 * connection (retransmissions, and their delivery at a heal): recorder/dcs-endpoint-activity.ts.
 */
export interface DcsEndpointSample {
  kind: "dcs-endpoint";
  t: number;
  /** The Patroni node. */
  node: string;
  /** etcd member names with an established connection, sorted (idle pooled ones included). */
  etcd: string[];
  /** The member whose connection carried data (sent or received) most recently. */
  current?: string;
  /**
   * Per member: ms since its most recently active connection last sent or received data (for a
   * connection that retransmitted: since Patroni last wrote to it). A member whose connections
   * have no known activity is left out.
   */
  idleMs?: Record<string, number>;
  /**
   * Each connection with its tcp_info counters, when the kernel gave them (absent in journals
   * written before they were recorded: `current` and `idleMs` were then taken from the last
   * send/receive times alone).
   */
  conns?: DcsEndpointConn[];
  /** The socket table could not be read. */
  error?: string;
}

/**
 * One connection of a DcsEndpointSample. Counters are tcp_info's (linux/tcp.h), each present
 * only when the kernel's struct has it; the gauges (retransmits, retrans, unacked, notsent) are
 * left out when 0.
 */
export interface DcsEndpointConn {
  member: string;
  /** Local port: with the member, names the connection from one sample to the next. */
  lport?: number;
  /** ms since data was last sent / received on it (last_data_sent / last_data_recv). */
  sndMs: number;
  rcvMs: number;
  /** tcpi_retransmits: retransmission timeouts in a row (in backoff). */
  retransmits?: number;
  /** tcpi_retrans: retransmitted segments not yet acknowledged. */
  retrans?: number;
  /** tcpi_unacked: segments in flight. */
  unacked?: number;
  /** tcpi_notsent_bytes: written by the application, not sent yet. */
  notsent?: number;
  /** tcpi_total_retrans: segments retransmitted over the connection's life. */
  totalRetrans?: number;
  /** tcpi_bytes_sent (retransmissions included), tcpi_bytes_retrans, tcpi_bytes_acked, tcpi_bytes_received. */
  bytesSent?: number;
  bytesRetrans?: number;
  bytesAcked?: number;
  bytesReceived?: number;
  /** tcpi_data_segs_out, recorded only when bytesSent is not there (kernels 4.6 to 4.18). */
  dataSegsOut?: number;
  /** Its only activity since Patroni last wrote to it may be TCP retransmitting or delivering the past: not counted for `current`. */
  replaying?: true;
}

/**
 * What the DCS fault proxy (topology.dcs_proxy) did on one Patroni node's etcd traffic: watch
 * streams opened and closed (with what they delivered), stalls and releases (with what they
 * withheld, delivered late or dropped), toxics on and off (with how many requests they hit),
 * connections reset, and the leader key as that node's watch cache was fed it.
 */
export interface DcsProxyEvent {
  kind: "dcs-proxy";
  t: number;
  /** The Patroni node whose traffic it is. */
  node: string;
  action: "stream-open" | "stream-close" | "stall" | "release" | "toxic-on" | "toxic-off" | "leader-view" | "reset" | "cancel";
  /** etcd member of the connection (stream events). */
  etcd?: string;
  /** Watch stream number (per lab, from 1). */
  stream?: number;
  /** stream-close: messages / key-change events delivered over the stream's life; release: withheld during the stall. */
  messages?: number;
  events?: number;
  /** release: drop | deliver | close, and how many withheld events were delivered late / dropped. */
  mode?: "drop" | "deliver" | "close";
  delivered?: number;
  dropped?: number;
  /** leader-view: holder of the leader key in the node's cache as the proxy fed it (null: no leader key). */
  leader?: string | null;
  /** toxic-off: requests the toxic matched / failed. */
  matched?: number;
  faulted?: number;
  /** The same for people. */
  text: string;
}

/** Free-form note from the harness (e.g. "cluster ready", "teardown"). */
export interface NoteEvent {
  kind: "note";
  t: number;
  text: string;
  level?: "info" | "warn" | "error";
}

/** The settle phase after the last step: did the cluster converge (a writable leader, every replica streaming)? */
export interface SettleEvent {
  kind: "settle";
  t: number;
  ok: boolean;
  /** The leader it settled on. */
  leader?: string;
  /** Time allowed (ms, time scale applied). */
  budgetMs: number;
}

/** The lab was removed (or removing it failed) at the end of the run. */
export interface TeardownEvent {
  kind: "teardown";
  t: number;
  ok: boolean;
  error?: string;
  /** How long the removal took, ms. */
  durationMs: number;
  /** What the run cost the machine up to its teardown (lab/run-cpu.ts). */
  cpu?: RunCpu;
}

/** CPU a run spent, in core-seconds: its containers (all of them: lab, proxy, reaper) and its harness process. */
export interface RunCpu {
  labCoreSec: number;
  harnessCoreSec: number;
}

/** What the lab runs, recorded once it is up (the journal then holds everything a report needs). */
export interface RunInfoEvent {
  kind: "run-info";
  t: number;
  versions: Partial<Record<"postgresql" | "patroni" | "etcd" | "haproxy" | "pgchaos" | "stack" | "image", string>>;
  topology: { scope?: string; nodes: { name: string; kind: string; ip?: string }[] };
  /** Time from the run's start until the cluster was ready, ms. */
  setupMs: number;
  /**
   * The lab's start-up split into phases: ms from the lab's start (after the image is resolved)
   * at which each was reached (createMs, etcdMs, bootstrapStartMs, initdbDoneMs, primaryUpMs,
   * initializedMs, leaderMs, basebackupStartMs, basebackupDoneMs, streamingStartMs, replicasMs;
   * see src/lab/setup-phases.ts). Absent in journals written before it existed.
   */
  setupPhases?: Record<string, number>;
  /** pgchaos's own settings that a team's patroni.yml tried to change, and why they were kept. */
  patroniConfigOverrides?: string[];
}

/** The run is over: its wall end time and why it could not be carried out, if it could not. */
export interface RunEndEvent {
  kind: "run-end";
  t: number;
  /** ISO 8601. */
  endedAt: string;
  error?: string;
  /** The run was not carried out on purpose: why (the scenario's `requires:` does not hold). */
  skipped?: string;
}

export type HistoryEvent =
  | SettleEvent
  | TeardownEvent
  | RunInfoEvent
  | RunEndEvent
  | NodeSample
  | UnknownSample
  | DcsSample
  | DcsWatchEvent
  | DcsWatchStatus
  | StepEvent
  | FaultEvent
  | ActionEvent
  | WriteOp
  | FinalRead
  | LogLine
  | ProbeEvent
  | NoteEvent
  | HaproxySample
  | DcsEndpointSample
  | DcsProxyEvent;

export type EventKind = HistoryEvent["kind"];
export type EventOf<K extends EventKind> = Extract<HistoryEvent, { kind: K }>;
