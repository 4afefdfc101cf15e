/**
 * What a lab's start-up is made of: milestones read from the nodes' own log lines (Patroni's,
 * initdb's, PostgreSQL's), as seconds since the lab's start. Together with what pgchaos itself
 * waits for (containers created, etcd quorum, leader, replicas streaming) they split the time
 * to ready into container creation, etcd, initdb, Patroni's first loops, basebackup and streaming.
 */

/** Seconds since the lab's start at which each milestone was reached (absent: not seen). */
export interface SetupPhases {
  /** Every container created and its service started. */
  createSec: number;
  /** Every etcd member healthy (quorum and a raft leader). */
  etcdSec: number;
  /** A Patroni node won the initialize race and began initdb. */
  bootstrapStartSec?: number;
  /** initdb finished. */
  initdbDoneSec?: number;
  /** The new primary's PostgreSQL accepts connections. */
  primaryUpSec?: number;
  /** Patroni finished post_bootstrap and holds the leader key. */
  initializedSec?: number;
  /** The leader key names a node whose REST API says it is a running primary (pgchaos's check). */
  leaderSec: number;
  /** The first replica began its basebackup. */
  basebackupStartSec?: number;
  /** The last replica finished its basebackup. */
  basebackupDoneSec?: number;
  /** The last replica's WAL receiver started streaming. */
  streamingStartSec?: number;
  /** Every replica streaming with nothing left to replay (pgchaos's check): the lab is ready. */
  replicasSec: number;
}

type LogMark = Exclude<keyof SetupPhases, "createSec" | "etcdSec" | "leaderSec" | "replicasSec">;

/** `first`: the earliest line on any node; `last`: the latest (one per replica, the last one counts). */
const LOG_MARKS: readonly { mark: LogMark; line: RegExp; which: "first" | "last" }[] = [
  { mark: "bootstrapStartSec", line: /INFO: trying to bootstrap a new cluster/, which: "first" },
  { mark: "initdbDoneSec", line: /^Success\. You can now start the database server/, which: "first" },
  { mark: "primaryUpSec", line: /database system is ready to accept connections/, which: "first" },
  { mark: "initializedSec", line: /INFO: initialized a new cluster/, which: "first" },
  { mark: "basebackupStartSec", line: /INFO: trying to bootstrap from leader/, which: "first" },
  { mark: "basebackupDoneSec", line: /INFO: bootstrapped from leader/, which: "last" },
  { mark: "streamingStartSec", line: /started streaming WAL from primary/, which: "last" },
];

/** Collects the log milestones while a lab starts; `freeze` stops it (later lines are the run's, not start-up's). */
export class SetupPhaseMarks {
  private readonly marks: Partial<Record<LogMark, number>> = {};
  private frozen = false;

  constructor(
    private readonly t0: number,
    private readonly now: () => number,
  ) {}

  onLogLine = (_node: string, line: string): void => {
    if (this.frozen) return;
    for (const m of LOG_MARKS) {
      if (!m.line.test(line)) continue;
      const sec = (this.now() - this.t0) / 1000;
      if (m.which === "last" || this.marks[m.mark] === undefined) this.marks[m.mark] = sec;
    }
  };

  freeze(): Partial<Record<LogMark, number>> {
    this.frozen = true;
    return { ...this.marks };
  }
}

/** The phases in start-up order with their labels (for a breakdown table). */
export const PHASE_ORDER: readonly (readonly [keyof SetupPhases, string])[] = [
  ["createSec", "containers created"],
  ["etcdSec", "etcd quorum"],
  ["bootstrapStartSec", "initdb started"],
  ["initdbDoneSec", "initdb done"],
  ["primaryUpSec", "primary accepts connections"],
  ["initializedSec", "post_bootstrap done, leader key"],
  ["leaderSec", "leader running (polled)"],
  ["basebackupStartSec", "first basebackup started"],
  ["basebackupDoneSec", "last basebackup done"],
  ["streamingStartSec", "last replica streaming"],
  ["replicasSec", "ready: replicas at lag 0 (polled)"],
];

/** The phases as whole milliseconds, for the run-info event. */
export function phasesMs(p: SetupPhases): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k] of PHASE_ORDER) {
    const v = p[k];
    if (v !== undefined) out[k.replace(/Sec$/, "Ms")] = Math.round(v * 1000);
  }
  return out;
}
