import type { HistoryEvent, NodeSample, WriteOp } from "../history/events.js";
import type {
  Checker,
  Evidence,
  FinalReadEvidence,
  GhostWriteEvidence,
  LossEpisodeEvidence,
  LostWriteEvidence,
  LostWritesEvidence,
  Verdict,
} from "./checker.js";
import { compressRanges, eventsOf, mergeOpts } from "./util.js";
import { formatT } from "../util/time.js";
import { describeReplication, isKnownReplication, type ReplicationPromise } from "../scenario/replication.js";

/**
 * no-acked-write-lost: every write the client was told succeeded (WriteOp outcome "ok") must be
 * present on the final primary.
 *
 * The reference is the FinalRead with `primary: true` (the latest one if several). Without one,
 * or if it carries an error, the verdict is unknown (not ok): we cannot tell.
 *
 * - **lost**: a seq with an ok WriteOp that is absent from the reference. Fails the check.
 * - **ghost**: a seq present on the reference whose only outcomes were `fail` (the client was
 *   told it failed, yet it committed). An anomaly: fails the check.
 * - **unknown** outcomes (timeouts, connection broken mid-commit) may or may not have
 *   committed; either is fine. Counted in the figures only.
 * - Seqs on the reference that no WriteOp ever attempted are counted as `unexpected`.
 *
 * ## What the configuration promises (the run's replication settings, `replication`)
 *
 * The lost writes are grouped into **episodes**: the writes one node O acknowledged during one
 * reign as primary (for each write, O's writable run, from node samples, that began last before
 * its acknowledgement). The episode's **promoted node** P is the earliest writable run of another
 * node that had not ended when O's reign began (a run of another node that ended before it is
 * the previous reign). "Writable" is single-primary's writable run: consecutive samples with
 * `pgUp && writable`, a gap over `maxSampleGapMs` ends a run; P's run may have begun anywhere
 * after its last sample that was not writable (`notBefore`). Each episode is then judged:
 *
 * 1. **settings unknown** (no `replication` option, or the record cannot vouch for it): a
 *    violation, as every loss was before the checker knew the promise.
 * 2. **synchronous_mode** on, quorum (with or without synchronous_mode_strict): Patroni promotes
 *    no standby that may lack an acknowledged transaction, so any loss is a violation.
 * 3. **split brain**: O acknowledged a lost write after P's `notBefore` (P was, or may already
 *    have been, writable: two primaries), always a violation. No P, or an acknowledging node
 *    that is not a Patroni node (through HAProxy an address pgchaos could not name): unattributed,
 *    a violation.
 * 4. **failover** (asynchronous): the WAL P did not have is measured from node samples, as an
 *    upper bound: O's WAL position (`receivedLsn`, which is xlog.location for a primary) at its
 *    first sample at or after the last lost acknowledgement while still writable (every
 *    acknowledged commit lies below it), minus P's position (max of `receivedLsn` and
 *    `replayedLsn`) at its last sample before promotion (it only grows after). Allowed when that
 *    is at most maximum_lag_on_failover, or at most maximum_lag_on_failover plus what O wrote in
 *    the last `ttl` seconds it was seen writable (a lower bound from its samples): Patroni's
 *    documented worst case, since the primary's position it compares with is not real time.
 *    Beyond that, or when a position is missing (O never sampled after the lost writes, P never
 *    before its promotion, P on a newer timeline than O), a violation: an allowance needs the
 *    record to show it.
 *
 * Allowed losses keep the verdict ok and are named in its summary, evidence and figures
 * (`lostAllowed`); `lostViolating` counts the rest. Ghost writes always fail.
 */
export interface NoAckedWriteLostOptions {
  /** At most this many per-seq evidence items (lost-write, ghost-write) each. Default 100. */
  maxItems?: number;
  /**
   * The run's replication settings (the judge passes them from the run record), or why they are
   * unknown. Without them every lost write is a violation.
   */
  replication?: ReplicationPromise;
  /** A gap between two samples of a node longer than this ends its writable run. Default 2000 (as single-primary). */
  maxSampleGapMs?: number;
}

const NAME = "no-acked-write-lost";

export function noAckedWriteLost(defaults?: NoAckedWriteLostOptions): Checker {
  return {
    name: NAME,
    check(events: readonly HistoryEvent[], opts?: object): Verdict {
      const o = mergeOpts<NoAckedWriteLostOptions>(defaults, opts);
      return checkLost(events, o.maxItems ?? 100, o.replication, o.maxSampleGapMs ?? 2000);
    },
  };
}

function checkLost(events: readonly HistoryEvent[], maxItems: number, replication: ReplicationPromise | undefined, maxGap: number): Verdict {
  const writes = eventsOf(events, "write");
  const reads = eventsOf(events, "final-read");
  const refs = reads.filter((r) => r.primary);
  const ref = refs[refs.length - 1];

  const readEvidence: FinalReadEvidence[] = reads.map((r) => ({
    type: "final-read",
    message:
      `Final read on ${r.node}${r.primary ? " (final primary, the reference)" : ""} at ${formatT(r.t)}: ` +
      (r.error ? `failed: ${r.error}` : `${r.seqs.length} seqs`),
    node: r.node,
    primary: r.primary,
    t: r.t,
    seqCount: r.seqs.length,
    ...(r.error !== undefined ? { error: r.error } : {}),
  }));

  const bySeq = new Map<number, WriteOp[]>();
  for (const w of writes) {
    let l = bySeq.get(w.seq);
    if (!l) bySeq.set(w.seq, (l = []));
    l.push(w);
  }
  const outcomes = (seq: number) => (bySeq.get(seq) ?? []).map((w) => w.outcome);
  const acked = [...bySeq.keys()].filter((s) => outcomes(s).includes("ok"));
  const baseFigures = {
    writes: writes.length,
    acked: acked.length,
    failed: [...bySeq.keys()].filter((s) => outcomes(s).every((o) => o === "fail")).length,
    unknown: [...bySeq.keys()].filter((s) => !outcomes(s).includes("ok") && outcomes(s).includes("unknown")).length,
  };

  if (!ref || ref.error !== undefined) {
    return {
      checker: NAME,
      ok: false,
      unknown: true,
      summary: !ref ? "no final read" : `final read on ${ref.node} failed: ${ref.error}`,
      evidence: [
        {
          type: "note",
          message: !ref
            ? "No FinalRead with primary=true in the history: whether acknowledged writes survived is unknown."
            : `The final read on the final primary ${ref.node} failed, so whether acknowledged writes survived is unknown.`,
        },
        ...readEvidence,
      ],
      figures: baseFigures,
    };
  }

  const present = new Set(ref.seqs);
  const others = reads.filter((r) => r !== ref && !r.error).map((r) => ({ node: r.node, seqs: new Set(r.seqs) }));

  const lost = acked.filter((s) => !present.has(s)).sort((a, b) => a - b);
  const ghosts = [...bySeq.keys()]
    .filter((s) => present.has(s) && outcomes(s).every((o) => o === "fail"))
    .sort((a, b) => a - b);
  const unknownSeqs = [...bySeq.keys()].filter((s) => !outcomes(s).includes("ok") && outcomes(s).includes("unknown"));
  const unknownPresent = unknownSeqs.filter((s) => present.has(s)).length;
  const unexpected = [...present].filter((s) => !bySeq.has(s));

  const evidence: Evidence[] = [];
  const ackOf = (seq: number) => bySeq.get(seq)!.find((x) => x.outcome === "ok")!;
  const episodes = judgeLosses(lost.map(ackOf), eventsOf(events, "node"), replication, maxGap);
  if (lost.length > 0) {
    const ranges = compressRanges(lost);
    evidence.push({
      type: "lost-writes",
      message: `${lost.length} acknowledged write${lost.length > 1 ? "s are" : " is"} missing on the final primary ${ref.node}: ${ranges}.`,
      node: ref.node,
      seqs: ranges,
      count: lost.length,
    } satisfies LostWritesEvidence);
    evidence.push(...episodes);
    for (const seq of lost.slice(0, maxItems)) {
      const w = ackOf(seq);
      const presentOn = others.filter((o) => o.seqs.has(seq)).map((o) => o.node);
      evidence.push({
        type: "lost-write",
        message:
          `Write ${seq} was acknowledged ${w.via === "haproxy" ? "through HAProxy" : `by ${w.node ?? "?"}`} at ${formatT(w.tEnd)} ` +
          `(invoked ${formatT(w.t)}) and is missing on ${ref.node}` +
          (presentOn.length ? `; still present on ${presentOn.join(", ")}.` : "."),
        seq,
        node: w.node,
        via: w.via,
        invokedAt: w.t,
        completedAt: w.tEnd,
        presentOn,
      } satisfies LostWriteEvidence);
    }
    if (lost.length > maxItems)
      evidence.push({ type: "note", message: `${lost.length - maxItems} more lost writes not itemised.` });
  }
  if (ghosts.length > 0) {
    const ranges = compressRanges(ghosts);
    evidence.push({
      type: "ghost-writes",
      message: `${ghosts.length} write${ghosts.length > 1 ? "s" : ""} reported as failed to the client ${ghosts.length > 1 ? "are" : "is"} present on ${ref.node}: ${ranges}.`,
      node: ref.node,
      seqs: ranges,
      count: ghosts.length,
    } satisfies LostWritesEvidence);
    for (const seq of ghosts.slice(0, maxItems)) {
      const w = bySeq.get(seq)!.at(-1)!;
      evidence.push({
        type: "ghost-write",
        message:
          `Write ${seq} sent to ${w.node ?? "no node"} (via ${w.via}) at ${formatT(w.t)} was reported failed at ` +
          `${formatT(w.tEnd)}${w.error ? ` (${w.error})` : ""}, yet it is present on ${ref.node}.`,
        seq,
        node: w.node,
        via: w.via,
        invokedAt: w.t,
        completedAt: w.tEnd,
        ...(w.error !== undefined ? { error: w.error } : {}),
      } satisfies GhostWriteEvidence);
    }
    if (ghosts.length > maxItems)
      evidence.push({ type: "note", message: `${ghosts.length - maxItems} more ghost writes not itemised.` });
  }
  if (unexpected.length > 0)
    evidence.push({
      type: "note",
      message: `${unexpected.length} seqs on ${ref.node} were never attempted by this run's workload: ${compressRanges(unexpected)}.`,
    });
  evidence.push(...readEvidence);

  const violating = episodes.filter((e) => e.judgement === "violation");
  const allowed = episodes.filter((e) => e.judgement === "allowed");
  const lostViolating = violating.reduce((n, e) => n + e.count, 0);
  const lostAllowed = allowed.reduce((n, e) => n + e.count, 0);
  const ok = lostViolating === 0 && ghosts.length === 0;
  const figures: Record<string, number> = {
    ...baseFigures,
    finalReadSeqs: present.size,
    lost: lost.length,
    lostAllowed,
    lostViolating,
    ghost: ghosts.length,
    unknownPresent,
    unknownAbsent: unknownSeqs.length - unknownPresent,
    unexpected: unexpected.length,
  };
  if (isKnownReplication(replication) && replication.synchronous_mode === "off") figures.maximumLagOnFailover = replication.maximum_lag_on_failover;
  if (allowed.length) figures.lostAllowedWalBytes = Math.max(...allowed.map((e) => e.lostWalBytes ?? 0));
  const indeterminate = `${unknownSeqs.length} indeterminate (${unknownPresent} present, ${unknownSeqs.length - unknownPresent} absent)`;
  let summary: string;
  if (ok && lost.length === 0) {
    summary = `all ${acked.length} acknowledged writes present on the final primary ${ref.node}; ${indeterminate}`;
  } else if (ok) {
    summary =
      `${lostAllowed} of ${acked.length} acknowledged writes lost on ${ref.node} (${truncate(compressRanges(lost), 80)}), allowed by the configuration ` +
      `[${allowed.map(episodeShort).join(" and ")}]; ${indeterminate}`;
  } else {
    const parts: string[] = [];
    // Without replication settings every loss counts, as it always did: the summary says no more.
    const why = replication === undefined ? "" : ` [${[...violating, ...allowed].slice(0, 3).map(episodeShort).join(" and ")}${episodes.length > 3 ? " and more" : ""}]`;
    if (lost.length) parts.push(`${lost.length} of ${acked.length} acknowledged writes lost on ${ref.node} (${truncate(compressRanges(lost), 80)})${why}`);
    if (ghosts.length) parts.push(`${ghosts.length} ghost write${ghosts.length > 1 ? "s" : ""} (reported failed, yet committed: ${truncate(compressRanges(ghosts), 80)})`);
    summary = `${parts.join("; ")}; ${indeterminate}`;
  }
  return { checker: NAME, ok, summary, evidence, figures };
}

/* ------------------------------------------------------------------------------------------ */
/* Judging the losses against the configuration                                               */

interface WritableRun {
  node: string;
  first: number;
  last: number;
  /** Time of the node's last sample before the run (not writable, or before a gap): the run may have begun any time after. -Infinity when none. */
  notBefore: number;
  /** Index of the run's first sample in the node's samples. */
  i0: number;
}

const writable = (s: NodeSample) => s.pgUp && s.writable === true;
const positionOf = (s: NodeSample): number | undefined =>
  s.receivedLsn === undefined && s.replayedLsn === undefined ? undefined : Math.max(s.receivedLsn ?? 0, s.replayedLsn ?? 0);
const bytes = (n: number) => `${n} bytes`;

function writableRuns(node: string, samples: readonly NodeSample[], maxGap: number): WritableRun[] {
  const runs: WritableRun[] = [];
  let cur: WritableRun | undefined;
  samples.forEach((s, i) => {
    const prev = samples[i - 1];
    if (cur && prev && s.t - prev.t > maxGap) cur = undefined;
    if (!writable(s)) {
      cur = undefined;
      return;
    }
    if (!cur) runs.push((cur = { node, first: s.t, last: s.t, notBefore: prev ? prev.t : -Infinity, i0: i }));
    cur.last = s.t;
  });
  return runs;
}

/** Groups the lost writes into episodes (acknowledging node, reign) and judges each; see the module comment. */
function judgeLosses(lostAcks: WriteOp[], samples: NodeSample[], replication: ReplicationPromise | undefined, maxGap: number): LossEpisodeEvidence[] {
  if (!lostAcks.length) return [];
  const byNode = new Map<string, NodeSample[]>();
  for (const s of samples) {
    let l = byNode.get(s.node);
    if (!l) byNode.set(s.node, (l = []));
    l.push(s);
  }
  const runs = new Map([...byNode].map(([n, l]) => [n, writableRuns(n, l, maxGap)]));
  const isPatroniNode = (n: string | null): n is string => n !== null && byNode.has(n);

  // Episodes: by acknowledging node and the reign (writable run) that began last before the acknowledgement.
  const groups = new Map<string, { ackedBy: string | null; reign?: WritableRun; writes: WriteOp[] }>();
  for (const w of [...lostAcks].sort((a, b) => a.tEnd - b.tEnd)) {
    const reign = isPatroniNode(w.node) ? runs.get(w.node)!.filter((r) => r.first <= w.tEnd).at(-1) : undefined;
    const key = `${w.node}|${reign?.first ?? ""}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ackedBy: w.node, ...(reign ? { reign } : {}), writes: [] }));
    g.writes.push(w);
  }
  return [...groups.values()].map((g) => judgeEpisode(g, byNode, runs, isPatroniNode(g.ackedBy), replication)).sort((a, b) => a.start - b.start);
}

function judgeEpisode(
  g: { ackedBy: string | null; reign?: WritableRun; writes: WriteOp[] },
  byNode: Map<string, NodeSample[]>,
  runs: Map<string, WritableRun[]>,
  known: boolean,
  replication: ReplicationPromise | undefined,
): LossEpisodeEvidence {
  const O = g.ackedBy;
  const seqs = compressRanges(g.writes.map((w) => w.seq));
  const count = g.writes.length;
  const start = Math.min(...g.writes.map((w) => w.t));
  const lastAck = Math.max(...g.writes.map((w) => w.tEnd));
  const who = O === null ? "no node" : O;
  const what = `${count} lost write${count > 1 ? "s" : ""} (${truncate(seqs, 60)}) acknowledged by ${who} from ${formatT(start)} to ${formatT(lastAck)}`;

  // The promoted node: the earliest writable run of another node that had not ended when O's reign began.
  const since = g.reign?.first ?? start;
  const P = known
    ? [...runs.values()]
        .flat()
        .filter((r) => r.node !== O && r.last >= since)
        .sort((a, b) => a.first - b.first)[0]
    : undefined;
  const base = { type: "loss-episode" as const, nodes: [...(O !== null ? [O] : []), ...(P ? [P.node] : [])], ackedBy: O, ...(P ? { promoted: P.node } : {}), seqs, count, start, end: lastAck };
  const violation = (cause: LossEpisodeEvidence["cause"], why: string, extra: Partial<LossEpisodeEvidence> = {}): LossEpisodeEvidence => ({
    ...base,
    ...extra,
    judgement: "violation",
    cause,
    message: `${what}: ${why}.`,
  });

  if (!isKnownReplication(replication))
    return violation("settings-unknown", replication === undefined ? "the run's replication settings are not known, so every loss counts" : `${replication.unknown}; every loss counts`);
  if (replication.synchronous_mode !== "off")
    return violation("synchronous", `${describeReplication(replication)} promises that no acknowledged write is lost${P ? ` (${P.node} was promoted from ${formatT(P.first)})` : ""}`);
  if (!known) return violation("unattributed", `the acknowledging node is not one of the sampled Patroni nodes, so no failover can be shown to allow the loss`);
  if (!P) return violation("unattributed", `no other node was seen writable after ${who}'s reign began (${formatT(since)}), so no failover can be shown to allow the loss`);
  if (lastAck > P.notBefore)
    return violation(
      "split-brain",
      `split brain: ${who} acknowledged writes until ${formatT(lastAck)} while ${P.node} was ` +
        (P.first <= lastAck ? `writable (from ${formatT(P.first)})` : `possibly writable (last seen otherwise at ${formatT(P.notBefore)}, writable at ${formatT(P.first)})`) +
        `; a split brain's loss is always a violation`,
    );

  // An asynchronous failover: measure the WAL P did not have.
  const oS = byNode.get(O!)!;
  const pS = byNode.get(P.node)!;
  const limit = replication.maximum_lag_on_failover;
  const unmeasured = (why: string) =>
    violation("failover", `a failover to ${P.node} at ${formatT(P.first)} with asynchronous replication, but ${why}, so it is not shown to be within maximum_lag_on_failover (${bytes(limit)})`, {
      maximumLagOnFailover: limit,
    });
  // O's position: its first writable sample with a position at or after the last lost acknowledgement, still writable since.
  let end: NodeSample | undefined;
  for (const s of oS) {
    if (s.t < lastAck) continue;
    if (!writable(s)) break;
    if (s.receivedLsn !== undefined) {
      end = s;
      break;
    }
  }
  if (!end) return unmeasured(`no sample of ${who} as primary at or after ${formatT(lastAck)} gives its WAL position`);
  // P's position: its last sample before the promotion run that gives one, while it was not
  // writable, on O's timeline. A sample's timeline is Patroni's (REST) and its position
  // PostgreSQL's, asked at once: when the promotion falls between the two answers, the sample
  // carries the new timeline with the old position (a 2026-12-06 game day: pg1's last sample
  // as a replica, its REST answer 320 ms late, said timeline 2). Such a sample is passed over
  // for the one before it: the promotion, not the WAL, moved in between.
  const tlO = [...oS].reverse().find((s) => s.t <= lastAck && s.timeline !== undefined)?.timeline;
  const onNewerTimeline = (s: NodeSample) => s.timeline !== undefined && tlO !== undefined && s.timeline > tlO;
  let before: NodeSample | undefined;
  let newer: NodeSample | undefined;
  for (let i = P.i0 - 1; i >= 0 && !writable(pS[i]); i--) {
    if (positionOf(pS[i]) === undefined) continue;
    if (onNewerTimeline(pS[i])) {
      newer ??= pS[i];
      continue;
    }
    before = pS[i];
    break;
  }
  if (!before && newer) return unmeasured(`${P.node} was on timeline ${newer.timeline}, newer than ${who}'s ${tlO}, so the positions are not on one WAL history`);
  if (!before) return unmeasured(`no sample of ${P.node} before its promotion gives its WAL position`);
  const lostWal = end.receivedLsn! - positionOf(before)!;
  if (lostWal < 0) return unmeasured(`${P.node}'s position before its promotion (${positionOf(before)}) is ahead of ${who}'s after the writes (${end.receivedLsn})`);
  // What O wrote in the last ttl seconds it was seen writable, within the same writable samples (a lower bound).
  let recent = 0;
  for (let i = oS.indexOf(end); i >= 0 && writable(oS[i]) && oS[i].t >= end.t - replication.ttl * 1000; i--) {
    const p = oS[i].receivedLsn;
    if (p !== undefined && oS[i].timeline === end.timeline) recent = Math.max(recent, end.receivedLsn! - p);
  }
  const measured = {
    lostWalBytes: lostWal,
    maximumLagOnFailover: limit,
    recentWalBytes: recent,
  };
  const sizes =
    `${P.node} (last position ${positionOf(before)} at ${formatT(before.t)}) lacked ${bytes(lostWal)} of ${who}'s WAL ` +
    `(position ${end.receivedLsn} at ${formatT(end.t)})`;
  if (lostWal <= limit)
    return { ...base, ...measured, judgement: "allowed", cause: "failover", message: `${what}: lost at the failover to ${P.node} (${formatT(P.first)}) with asynchronous replication; ${sizes}, within maximum_lag_on_failover (${bytes(limit)}): allowed by the configuration.` };
  if (lostWal <= limit + recent)
    return {
      ...base,
      ...measured,
      judgement: "allowed",
      cause: "failover",
      message:
        `${what}: lost at the failover to ${P.node} (${formatT(P.first)}) with asynchronous replication; ${sizes}, over maximum_lag_on_failover (${bytes(limit)}) but within it plus the ` +
        `${bytes(recent)} ${who} wrote in its last ttl (${replication.ttl} s), Patroni's documented worst case: allowed by the configuration.`,
    };
  return violation(
    "failover",
    `lost at the failover to ${P.node} (${formatT(P.first)}) with asynchronous replication; ${sizes}, beyond maximum_lag_on_failover (${bytes(limit)}) plus the ${bytes(recent)} ${who} wrote in its last ttl (${replication.ttl} s)`,
    measured,
  );
}

/** An episode in a few words, for the verdict's summary. */
function episodeShort(e: LossEpisodeEvidence): string {
  const n = `${e.count} by ${e.ackedBy ?? "no node"}`;
  switch (e.cause) {
    case "settings-unknown":
      return `${n}: replication settings unknown`;
    case "synchronous":
      return `${n}: lost with synchronous replication`;
    case "split-brain":
      return `${n}: split brain with ${e.promoted}`;
    case "unattributed":
      return `${n}: not attributable to a failover`;
    case "failover": {
      const head = `${n} at the failover to ${e.promoted}`;
      if (e.lostWalBytes === undefined) return `${head}: WAL not measurable`;
      const within = e.lostWalBytes <= e.maximumLagOnFailover! ? "within" : e.judgement === "allowed" ? "within the last ttl's WAL over" : "beyond";
      return `${head}: ${bytes(e.lostWalBytes)} of WAL ${within} maximum_lag_on_failover ${bytes(e.maximumLagOnFailover!)}${e.judgement === "allowed" ? " (asynchronous replication)" : ""}`;
    }
  }
}

function truncate(s: string, n: number): string {
  if (s.length <= n) return s;
  const cut = s.lastIndexOf(",", n);
  return `${s.slice(0, cut > 0 ? cut : n)},…`;
}
