import type { HistoryEvent } from "../history/events.js";

/**
 * A checker judges a recorded history after the fact (Jepsen style). It never touches a
 * cluster: everything it knows comes from the events, so it can be re-run on a saved
 * `report.json` or `journal.jsonl`.
 */
export interface Checker {
  /** The scenario invariant name, e.g. "single-primary". */
  name: string;
  /**
   * Judge `events` (any order; checkers sort what they need). `opts` override the options the
   * checker was created with.
   */
  check(events: readonly HistoryEvent[], opts?: object): Verdict;
}

export interface Verdict {
  /** Name of the checker that produced this verdict. */
  checker: string;
  ok: boolean;
  /**
   * Set when the checker could not judge because data is missing (no final read, no samples).
   * Such a verdict is never ok. Absent means the verdict is definite.
   */
  unknown?: boolean;
  /** One line a person reads first. */
  summary: string;
  /** Small typed records backing the summary; times are ms on the history axis. */
  evidence: Evidence[];
  /** Numeric results (counts, durations in ms), flat keys such as "direct.longestMs". */
  figures?: Record<string, number>;
}

/** Every evidence item carries its own `type` and a self-contained human sentence. */
export interface EvidenceBase {
  type: string;
  /** Complete sentence with times as "+12.3s", renderable without knowing the type. */
  message: string;
}

/** Which observation an overlap or interleaving was derived from. */
export type EvidenceBasis = "node-samples" | "workload";

/**
 * Two nodes' runs of samples overlapped: both writable (split brain) or both claiming the
 * primary role while not both writable (role conflict). See single-primary.ts for the
 * precise definition of a run and of an overlap.
 */
export interface OverlapEvidence extends EvidenceBase {
  type: "writable-overlap" | "role-overlap";
  basis: "node-samples";
  severity: "split-brain" | "role-conflict";
  nodes: [string, string];
  start: number;
  end: number;
  durationMs: number;
  /** Timelines each node reported during the overlap (from its samples around it). */
  timelines: Record<string, number[]>;
  /** Both nodes reported the same timeline: their WAL histories diverge under one TLI. */
  sameTimeline: boolean;
  /** For a writable overlap: whether both also claimed the primary role at some common time. */
  bothClaimedPrimary?: boolean;
  /** Each node's run of samples the overlap came from: first and last sample time, count. */
  runs: Record<string, { first: number; last: number; samples: number }>;
}

/**
 * Not a failure: a node reported role primary while its PostgreSQL was shutting down (REST
 * state `stopping`, or PostgreSQL refusing connections with "the database system is shutting
 * down"), during `primary`'s counted claim. It could not accept a write, so single-primary does
 * not count it as a second primary (see single-primary.ts); shown so the overlap is not hidden.
 */
export interface StoppingClaimEvidence extends EvidenceBase {
  type: "stopping-claim";
  basis: "node-samples";
  severity: "note";
  /** The node that claimed primary while stopping. */
  node: string;
  /** The node whose counted primary claim it overlapped. */
  primary: string;
  nodes: [string, string];
  start: number;
  end: number;
  durationMs: number;
  /** What showed it was stopping: "Patroni state stopping", "PostgreSQL: the database system is shutting down". */
  reasons: string[];
  /** Each node's run of samples the overlap came from: first and last sample time, count. */
  runs: Record<string, { first: number; last: number; samples: number }>;
}

/**
 * Acknowledged writes prove two primaries: `bracketing` acknowledged a write, then
 * `interleaved` acknowledged writes, then `bracketing` acknowledged another write invoked
 * after those were acknowledged, without being seen in recovery in between.
 */
export interface InterleavedAcksEvidence extends EvidenceBase {
  type: "interleaved-acks";
  basis: "workload";
  severity: "split-brain";
  nodes: [string, string];
  bracketing: string;
  interleaved: string;
  /** Invocation of the first and acknowledgement of the last interleaved write. */
  start: number;
  end: number;
  durationMs: number;
  /** Interleaved acknowledged seqs, compressed ("120-135,140"). */
  seqs: string;
  count: number;
  /** The bracketing node's acknowledged write just before and just after. */
  before: { seq: number; ackedAt: number };
  after: { seq: number; invokedAt: number; ackedAt: number };
}

export interface AckedWriteRef {
  seq: number;
  node: string | null;
  via: "direct" | "haproxy";
  invokedAt: number;
  /** Completion time (acknowledgement for ok, failure report for fail). */
  completedAt: number;
}

export interface LostWritesEvidence extends EvidenceBase {
  type: "lost-writes" | "ghost-writes";
  /** Reference node (the final primary). */
  node: string;
  seqs: string;
  count: number;
}

/**
 * Lost acknowledged writes of one node in one reign as primary, judged against the run's
 * replication settings (no-acked-write-lost.ts has the rules).
 */
export interface LossEpisodeEvidence extends EvidenceBase {
  type: "loss-episode";
  /** Allowed by the configuration (an asynchronous failover within its bound), or a violation. */
  judgement: "allowed" | "violation";
  /**
   * synchronous: synchronous_mode promises no loss; split-brain: another node was (or may have
   * been) writable while these were acknowledged; failover: measured against
   * maximum_lag_on_failover; unattributed: no failover in the record explains the loss;
   * settings-unknown: the run's replication settings are not known.
   */
  cause: "synchronous" | "split-brain" | "failover" | "unattributed" | "settings-unknown";
  /** The node that acknowledged the writes, then the node promoted without them when known. */
  nodes: string[];
  ackedBy: string | null;
  promoted?: string;
  seqs: string;
  count: number;
  /** First invocation and last acknowledgement of the lost writes. */
  start: number;
  end: number;
  /** failover: WAL of the old primary the promoted node did not have (an upper bound), bytes. */
  lostWalBytes?: number;
  maximumLagOnFailover?: number;
  /** failover: WAL the old primary wrote in the last ttl seconds it was seen (a lower bound), bytes. */
  recentWalBytes?: number;
}

export interface LostWriteEvidence extends EvidenceBase, AckedWriteRef {
  type: "lost-write";
  /** Other nodes whose final read still has the seq (e.g. a demoted old primary). */
  presentOn: string[];
}

export interface GhostWriteEvidence extends EvidenceBase, AckedWriteRef {
  type: "ghost-write";
  error?: string;
}

export interface FinalReadEvidence extends EvidenceBase {
  type: "final-read";
  node: string;
  primary: boolean;
  t: number;
  seqCount: number;
  error?: string;
}

/** A window without an acknowledged write (write-availability.ts defines it). */
export interface UnavailabilityWindowEvidence extends EvidenceBase {
  type: "unavailability-window";
  via: "all" | "direct" | "haproxy";
  start: number;
  end: number;
  durationMs: number;
  /** The window opens at the start of a workload period (no ack yet) / closes at its end. */
  atRunStart: boolean;
  atRunEnd: boolean;
  lastAckBefore?: { seq: number; node: string | null; t: number };
  firstAckAfter?: { seq: number; node: string | null; t: number };
  /** Attempts invoked inside the window and their outcomes. */
  attempts: number;
  failed: number;
  unknown: number;
  /** Up to three distinct error messages seen in the window. */
  errors: string[];
  /**
   * Time of the window covered by writes that timed out while pgchaos itself stalled
   * (WriteOp.stallMs), ms: not counted in `durationMs` (which is `end - start` less this).
   * Absent when none.
   */
  harnessStalledMs?: number;
  /** How many of the attempts were such writes. */
  harnessStalled?: number;
}

/** Missing data, a truncated list, or anything else worth a line. */
export interface NoteEvidence extends EvidenceBase {
  type: "note";
}

export type Evidence =
  | OverlapEvidence
  | StoppingClaimEvidence
  | InterleavedAcksEvidence
  | LostWritesEvidence
  | LossEpisodeEvidence
  | LostWriteEvidence
  | GhostWriteEvidence
  | FinalReadEvidence
  | UnavailabilityWindowEvidence
  | NoteEvidence;

/**
 * When the failure an evidence item stands for happened on the history axis, or undefined for
 * items that are context rather than the failure itself (final reads, notes, a group's summary).
 * Known issues' `near_failure` is measured from these windows, so every evidence type states
 * its own: a new type must be added here (the switch is exhaustive), never inferred from the
 * shape of an item (lost and ghost writes carry invocation and acknowledgement times, not a
 * `start`, and were once taken for failures without a time).
 */
export function failureWindow(e: Evidence): { start: number; end: number } | undefined {
  switch (e.type) {
    case "writable-overlap":
    case "role-overlap":
    case "interleaved-acks":
    case "unavailability-window":
      return { start: e.start, end: e.end };
    case "loss-episode":
      // From the first lost write's invocation to the last one's acknowledgement; a loss the
      // configuration allows is no failure.
      return e.judgement === "violation" ? { start: e.start, end: e.end } : undefined;
    case "ghost-write":
      // From the write's invocation to its failure report.
      return { start: e.invokedAt, end: e.completedAt };
    case "lost-write": // its episode (loss-episode) carries the time and the judgement
    case "lost-writes":
    case "ghost-writes":
    case "final-read":
    case "note":
    case "stopping-claim": // a claim that is not counted: context, not a failure
      return undefined;
    default: {
      const never: never = e;
      return never;
    }
  }
}
