import type { HistoryEvent, NodeSample, WriteOp } from "../history/events.js";
import type { Checker, Evidence, InterleavedAcksEvidence, OverlapEvidence, StoppingClaimEvidence, Verdict } from "./checker.js";
import { compressRanges, eventsOf, firstAtOrAfter, lastAtOrBefore, mergeOpts } from "./util.js";
import { formatDuration, formatT } from "../util/time.js";

/**
 * single-primary: at no time may two nodes be writable, nor two nodes claim the primary role.
 *
 * ## Evidence from node samples (NodeSample, one per node every ~200 ms)
 *
 * Samples are discrete, so "writable at the same time" needs a definition. We take a sample's
 * `t` as the instant the node was observed, and for each node we cut its samples (sorted by t)
 * into *runs*:
 *
 * - A **writable run** is a maximal sequence of consecutive samples of that node that all have
 *   `pgUp === true && writable === true`. Any other sample of the node (pgUp=false, writable
 *   false or absent) ends the run, and so does a gap longer than `maxSampleGapMs` (default
 *   2000 ms) between two consecutive samples of the node: we do not claim anything about a
 *   node we did not look at.
 * - A **role run** is the same with primary claims: `restUp === true && role === "primary"`,
 *   except the claims of a node that could not accept a write (see "Which role claims count").
 * - A run's **interval** is the closed interval [first sample t, last sample t] of the run: we
 *   assume the node kept its state between two consecutive samples that both showed it, and we
 *   assume nothing beyond its first and last sample. A single-sample run is the point [t, t].
 * - Two nodes' intervals **overlap** when `max(startA, startB) <= min(endA, endB)`; the overlap
 *   is that closed interval, its duration `min(end) - max(start)` (0 for a single instant,
 *   which still means both nodes were seen in that state around the same moment).
 *
 * This is conservative: a clean switchover, where the old primary's last writable sample
 * precedes the new primary's first one, never overlaps, whatever the sampling phase. A
 * writable overlap is reported as severity "split-brain"; a role overlap that does not
 * coincide with a writable overlap of the same pair (two nodes both saying role=primary while
 * at most one of them was writable) as "role-conflict". Both fail the check.
 *
 * ## Evidence from the workload (WriteOp), definitive
 *
 * An acknowledged write (outcome ok) on node X proves X accepted a write at some instant of
 * [t, tEnd]. If node A acknowledged a write `a1`, then node B acknowledged a write `b` invoked
 * after `a1` was acknowledged (`b.t >= a1.tEnd`), then A acknowledged a write `a2` invoked after
 * `b` was acknowledged (`a2.t >= b.tEnd`), the commits happened in the real-time order A, B, A.
 * Unless A was demoted and promoted again in between, A and B were both primaries accepting
 * writes at `b`'s commit. We therefore discard a witness when A's samples show it in recovery
 * (`pgUp && writable === false`) or on a different timeline at any sample strictly between
 * `a1.tEnd` and `a2.t` (a legitimate failback). Only writes with `via: "direct"` are used: their
 * `node` names the PostgreSQL node that executed the write (through HAProxy it does not).
 *
 * ## Which role claims count: only from a node that could accept a write
 *
 * A role run is made of *primary claims*, and a sample's `role: primary` is a claim only when
 * the node could have accepted a write at that instant. What the recorder records lets us say
 * it could not only in one case: its PostgreSQL was **shutting down**. A sample of a node whose
 * REST API answered `role: primary` is *stopping* when
 * - PostgreSQL did not answer as writable (`pgUp && writable === true` never is), and
 * - either Patroni's REST `state` is `stopping` (or says "shutting down"), or PostgreSQL refused
 *   the sample's query with "the database system is shutting down" (SQLSTATE 57P03).
 * A shutdown does not reverse: such a node accepts no new connection, and with Patroni's fast
 * shutdown its sessions are terminated. (On Patroni 4.0.7/4.1.5 a leader cut from every other
 * node demotes and its PostgreSQL spends ~16 s shutting down, walsenders unable to reach the
 * replicas, while the REST API answers `role: primary, state: stopping`.) A stopping sample is
 * not a primary claim, *unless* the workload says otherwise: if the node acknowledged a write
 * (any `via`, its `node` naming it) that overlaps the node's run of stopping samples, then every
 * stopping sample of that run taken at or before the last such acknowledgement (`tEnd`) counts as
 * a claim after all (the node was still accepting writes then, whatever it reported). Writable
 * runs never use this rule: a node whose PostgreSQL answered writable is writable, whatever
 * REST says. Anything else (role primary with PostgreSQL read-only, not answering, timing out,
 * unreachable) still counts: we cannot tell it could not accept a write from a client elsewhere.
 *
 * A stopping claim that overlaps another node's counted claim is shown as `stopping-claim`
 * evidence (severity "note"; it does not fail the check, and the summary of a passing verdict
 * mentions it): the overlap a role conflict would have been, and why it is not one.
 *
 * Note: a NodeSample's `t` is when its poll started; the answers arrived within `latencyMs`.
 * We use `t` as the observation instant for every node alike.
 */
export interface SinglePrimaryOptions {
  /** A gap between two consecutive samples of a node longer than this ends its run. Default 2000. */
  maxSampleGapMs?: number;
}

const NAME = "single-primary";
const DEFAULT_MAX_GAP_MS = 2000;

interface Run {
  node: string;
  start: number;
  end: number;
  samples: NodeSample[];
}

interface Overlap {
  a: Run;
  b: Run;
  start: number;
  end: number;
}

export function singlePrimary(defaults?: SinglePrimaryOptions): Checker {
  return {
    name: NAME,
    check(events: readonly HistoryEvent[], opts?: object): Verdict {
      const o = mergeOpts<SinglePrimaryOptions>(defaults, opts);
      return checkSinglePrimary(events, o.maxSampleGapMs ?? DEFAULT_MAX_GAP_MS);
    },
  };
}

function checkSinglePrimary(events: readonly HistoryEvent[], maxGap: number): Verdict {
  const samples = eventsOf(events, "node");
  const byNode = new Map<string, NodeSample[]>();
  for (const s of samples) {
    let l = byNode.get(s.node);
    if (!l) byNode.set(s.node, (l = []));
    l.push(s);
  }
  const nodes = [...byNode.keys()].sort();

  const writes = eventsOf(events, "write");
  const writableRuns = new Map<string, Run[]>();
  const roleRuns = new Map<string, Run[]>();
  const stoppingRuns = new Map<string, Run[]>();
  for (const n of nodes) {
    const l = byNode.get(n)!;
    writableRuns.set(n, runsOf(n, l, (s) => s.pgUp && s.writable === true, maxGap));
    const excused = excusedClaims(n, l, writes, maxGap);
    roleRuns.set(n, runsOf(n, l, (s) => s.restUp && s.role === "primary" && !excused.has(s), maxGap));
    stoppingRuns.set(n, runsOf(n, l, (s) => excused.has(s), maxGap));
  }

  const evidence: Evidence[] = [];
  const writableOverlaps: OverlapEvidence[] = [];
  const roleOverlaps: OverlapEvidence[] = [];
  for (let i = 0; i < nodes.length; i++) {
    for (let j = i + 1; j < nodes.length; j++) {
      const wo = overlaps(writableRuns.get(nodes[i])!, writableRuns.get(nodes[j])!);
      const ro = overlaps(roleRuns.get(nodes[i])!, roleRuns.get(nodes[j])!);
      const wEv = wo.map((x) => overlapEvidence(x, "writable-overlap"));
      for (const r of ro) {
        const hit = wEv.filter((w) => r.start <= w.end && w.start <= r.end);
        if (hit.length > 0) for (const w of hit) w.bothClaimedPrimary = true;
        else roleOverlaps.push(overlapEvidence(r, "role-overlap"));
      }
      for (const w of wEv) {
        w.bothClaimedPrimary ??= false;
        w.message += w.bothClaimedPrimary ? "; both also reported role primary." : ".";
      }
      writableOverlaps.push(...wEv);
    }
  }
  for (const r of roleOverlaps) r.message += ".";
  writableOverlaps.sort((a, b) => a.start - b.start);
  roleOverlaps.sort((a, b) => a.start - b.start);

  // Stopping claims overlapping another node's counted claim: what would have been a role conflict.
  const stoppingClaims: StoppingClaimEvidence[] = [];
  for (const a of nodes)
    for (const b of nodes)
      if (a !== b) for (const o of overlaps(stoppingRuns.get(a)!, roleRuns.get(b)!)) stoppingClaims.push(stoppingEvidence(o));
  stoppingClaims.sort((x, y) => x.start - y.start || x.node.localeCompare(y.node));

  const interleaved = interleavedAcks(eventsOf(events, "write"), byNode);

  evidence.push(...writableOverlaps, ...interleaved, ...roleOverlaps, ...stoppingClaims);

  const splitBrain = writableOverlaps.length > 0 || interleaved.length > 0;
  const ok = !splitBrain && roleOverlaps.length === 0;
  const longest = writableOverlaps.reduce((m, w) => Math.max(m, w.durationMs), 0);
  const figures: Record<string, number> = {
    nodes: nodes.length,
    samples: samples.length,
    writableOverlaps: writableOverlaps.length,
    writableOverlapMs: writableOverlaps.reduce((acc, w) => acc + w.durationMs, 0),
    longestWritableOverlapMs: longest,
    roleOverlaps: roleOverlaps.length,
    stoppingClaimOverlaps: stoppingClaims.length,
    interleavedAckEpisodes: interleaved.length,
    interleavedAckedWrites: interleaved.reduce((acc, x) => acc + x.count, 0),
  };

  let summary: string;
  if (samples.length === 0 && eventsOf(events, "write").length === 0) {
    return {
      checker: NAME,
      ok: false,
      unknown: true,
      summary: "no node samples and no writes recorded: cannot judge",
      evidence: [{ type: "note", message: "The history has no NodeSample and no WriteOp events." }],
      figures,
    };
  }
  if (ok) {
    summary =
      `at most one writable node and one primary claim at every sampled instant ` +
      `(${samples.length} samples of ${nodes.length} nodes); no interleaved acknowledged writes`;
    if (stoppingClaims.length > 0) {
      const x = stoppingClaims[0];
      summary +=
        `; ${x.node} still reported role primary while shutting down, beside ${x.primary} for ${formatDuration(x.durationMs)} ` +
        `from ${formatT(x.start)} (not counted: it could not accept a write)` +
        (stoppingClaims.length > 1 ? ` (${stoppingClaims.length} such overlaps)` : "");
    }
  } else {
    const parts: string[] = [];
    if (writableOverlaps.length > 0) {
      const w = writableOverlaps[0];
      parts.push(
        `split brain: ${w.nodes.join(" and ")} both writable for ${formatDuration(w.durationMs)} from ${formatT(w.start)}` +
          (writableOverlaps.length > 1 ? ` (${writableOverlaps.length} overlaps, longest ${formatDuration(longest)})` : ""),
      );
    }
    if (interleaved.length > 0) {
      const x = interleaved[0];
      parts.push(
        `${splitBrain && writableOverlaps.length === 0 ? "split brain: " : ""}acknowledged writes interleaved between ` +
          `${x.bracketing} and ${x.interleaved} from ${formatT(x.start)} (${figures.interleavedAckedWrites} writes in ` +
          `${interleaved.length} episode${interleaved.length > 1 ? "s" : ""})`,
      );
    }
    if (roleOverlaps.length > 0) {
      const r = roleOverlaps[0];
      parts.push(
        `role conflict: ${r.nodes.join(" and ")} both reported role primary for ${formatDuration(r.durationMs)} from ` +
          `${formatT(r.start)}` + (roleOverlaps.length > 1 ? ` (${roleOverlaps.length} overlaps)` : ""),
      );
    }
    summary = parts.join("; ");
  }
  if (samples.length === 0) {
    evidence.push({ type: "note", message: "No NodeSample events: only the workload was judged." });
    summary += " (no node samples: workload evidence only)";
  }
  return { checker: NAME, ok, summary, evidence, figures };
}

/** PostgreSQL refused the sample's query because it is shutting down (SQLSTATE 57P03). */
const PG_SHUTTING_DOWN = /(?:^|; )pg: ([^;]*shutting down[^;]*)/i;

/**
 * Why this primary claim comes from a node that could not accept a write (its PostgreSQL is
 * shutting down), or undefined. See "Which role claims count" above. Never for a writable sample.
 */
export function stoppingReason(s: NodeSample): string | undefined {
  if (!s.restUp || s.role !== "primary" || (s.pgUp && s.writable === true)) return undefined;
  const reasons: string[] = [];
  if (s.state !== undefined && /^stopping$|shutting down/i.test(s.state)) reasons.push(`Patroni state ${s.state}`);
  const pg = s.error?.match(PG_SHUTTING_DOWN);
  if (pg) reasons.push(`PostgreSQL: ${pg[1]}`);
  return reasons.length ? reasons.join(", ") : undefined;
}

/**
 * The node's stopping samples that are not primary claims: those of each run of stopping
 * samples taken after the last acknowledged write on the node that overlaps the run.
 */
function excusedClaims(node: string, samples: NodeSample[], writes: WriteOp[], maxGap: number): Set<NodeSample> {
  const out = new Set<NodeSample>();
  const acks = writes.filter((w) => w.outcome === "ok" && w.node === node);
  for (const run of runsOf(node, samples, (s) => stoppingReason(s) !== undefined, maxGap)) {
    const lastAck = acks.reduce((m, w) => (w.t <= run.end && w.tEnd >= run.start ? Math.max(m, w.tEnd) : m), -Infinity);
    for (const s of run.samples) if (s.t > lastAck) out.add(s);
  }
  return out;
}

function runsOf(node: string, samples: NodeSample[], pred: (s: NodeSample) => boolean, maxGap: number): Run[] {
  const runs: Run[] = [];
  let cur: Run | undefined;
  let prevT = -Infinity;
  for (const s of samples) {
    if (cur && s.t - prevT > maxGap) cur = undefined;
    prevT = s.t;
    if (!pred(s)) {
      cur = undefined;
      continue;
    }
    if (!cur) {
      cur = { node, start: s.t, end: s.t, samples: [] };
      runs.push(cur);
    }
    cur.end = s.t;
    cur.samples.push(s);
  }
  return runs;
}

function overlaps(as: Run[], bs: Run[]): Overlap[] {
  const out: Overlap[] = [];
  let i = 0;
  let j = 0;
  while (i < as.length && j < bs.length) {
    const a = as[i];
    const b = bs[j];
    const start = Math.max(a.start, b.start);
    const end = Math.min(a.end, b.end);
    if (start <= end) out.push({ a, b, start, end });
    if (a.end < b.end) i++;
    else j++;
  }
  return out;
}

/** Timelines a run's samples report around [start, end]: from the last sample at or before
 * `start` to the first at or after `end` (both inside the run). */
function timelinesAround(run: Run, start: number, end: number): number[] {
  const s = run.samples;
  const i0 = Math.max(0, lastAtOrBefore(s, start, (x) => x.t));
  const i1 = Math.min(s.length - 1, firstAtOrAfter(s, end, (x) => x.t));
  const tls = new Set<number>();
  // Duplicate sample times at a boundary can make i1 < i0: take the range either way.
  for (let k = Math.min(i0, i1); k <= Math.max(i0, i1); k++) if (s[k].timeline !== undefined) tls.add(s[k].timeline!);
  return [...tls].sort((x, y) => x - y);
}

function overlapEvidence(o: Overlap, type: "writable-overlap" | "role-overlap"): OverlapEvidence {
  const ta = timelinesAround(o.a, o.start, o.end);
  const tb = timelinesAround(o.b, o.start, o.end);
  const sameTimeline = ta.some((x) => tb.includes(x));
  const dur = o.end - o.start;
  const tlText = (n: string, t: number[]) => `${n} on timeline ${t.length ? t.join("/") : "?"}`;
  const what = type === "writable-overlap" ? "were both writable" : "both reported role primary (not both writable)";
  const message =
    `${o.a.node} and ${o.b.node} ${what} from ${formatT(o.start)} to ${formatT(o.end)} ` +
    `(${formatDuration(dur)}, from node samples; ${tlText(o.a.node, ta)}, ${tlText(o.b.node, tb)}` +
    `${sameTimeline ? ", same timeline" : ""})`;
  return {
    type,
    basis: "node-samples",
    severity: type === "writable-overlap" ? "split-brain" : "role-conflict",
    message,
    nodes: [o.a.node, o.b.node],
    start: o.start,
    end: o.end,
    durationMs: dur,
    timelines: { [o.a.node]: ta, [o.b.node]: tb },
    sameTimeline,
    runs: {
      [o.a.node]: { first: o.a.start, last: o.a.end, samples: o.a.samples.length },
      [o.b.node]: { first: o.b.start, last: o.b.end, samples: o.b.samples.length },
    },
  };
}

function stoppingEvidence(o: Overlap): StoppingClaimEvidence {
  const reasons = [...new Set(o.a.samples.filter((s) => s.t >= o.start && s.t <= o.end).map((s) => stoppingReason(s)!))].slice(0, 3);
  const dur = o.end - o.start;
  return {
    type: "stopping-claim",
    basis: "node-samples",
    severity: "note",
    message:
      `${o.a.node} reported role primary while shutting down (${reasons.join("; ")}) from ${formatT(o.start)} to ` +
      `${formatT(o.end)} (${formatDuration(dur)}), while ${o.b.node} claimed primary: not counted as a second primary, ` +
      `${o.a.node} could not accept a write (and acknowledged none then).`,
    node: o.a.node,
    primary: o.b.node,
    nodes: [o.a.node, o.b.node],
    start: o.start,
    end: o.end,
    durationMs: dur,
    reasons,
    runs: {
      [o.a.node]: { first: o.a.start, last: o.a.end, samples: o.a.samples.length },
      [o.b.node]: { first: o.b.start, last: o.b.end, samples: o.b.samples.length },
    },
  };
}

type OkWrite = WriteOp & { node: string };

function interleavedAcks(writes: WriteOp[], samplesByNode: Map<string, NodeSample[]>): InterleavedAcksEvidence[] {
  // Only direct writes name the node that executed them (via=haproxy records "haproxy").
  const ok = writes.filter((w): w is OkWrite => w.outcome === "ok" && w.node !== null && w.via === "direct");
  const byNodeT = new Map<string, OkWrite[]>(); // sorted by invocation t
  for (const w of ok) {
    let l = byNodeT.get(w.node);
    if (!l) byNodeT.set(w.node, (l = []));
    l.push(w);
  }
  const nodes = [...byNodeT.keys()].sort();
  if (nodes.length < 2) return [];
  const byNodeEnd = new Map<string, OkWrite[]>();
  for (const n of nodes) {
    byNodeT.get(n)!.sort((a, b) => a.t - b.t);
    byNodeEnd.set(n, [...byNodeT.get(n)!].sort((a, b) => a.tEnd - b.tEnd));
  }

  // A demotion (in recovery) or a timeline change of `node` strictly inside (from, to)? The
  // timeline it wrote on at `from` is the last one sampled by then: when no sample of the node
  // answered while it was a replica (a switchover there and back), its new timeline after the
  // return is the only sign, and it must be compared with the one before.
  const explained = new Map<string, boolean>();
  const failbackBetween = (node: string, from: number, to: number): boolean => {
    const key = `${node}|${from}|${to}`;
    const hit = explained.get(key);
    if (hit !== undefined) return hit;
    const s = samplesByNode.get(node) ?? [];
    let tl: number | undefined;
    for (let k = firstAtOrAfter(s, from, (x) => x.t) - 1; k >= 0 && tl === undefined; k--) tl = s[k].timeline;
    let res = false;
    for (let k = firstAtOrAfter(s, from, (x) => x.t); k < s.length && s[k].t < to; k++) {
      const x = s[k];
      if (x.t <= from) continue;
      if (x.pgUp && x.writable === false) {
        res = true;
        break;
      }
      if (x.timeline !== undefined) {
        if (tl !== undefined && x.timeline !== tl) {
          res = true;
          break;
        }
        tl = x.timeline;
      }
    }
    explained.set(key, res);
    return res;
  };

  const out: InterleavedAcksEvidence[] = [];
  for (const A of nodes) {
    const aByEnd = byNodeEnd.get(A)!;
    const aByT = byNodeT.get(A)!;
    for (const B of nodes) {
      if (A === B) continue;
      let ep: { first: OkWrite; last: OkWrite; before: OkWrite; after: OkWrite; seqs: number[] } | undefined;
      const close = () => {
        if (ep) out.push(interleavedEvidence(A, B, ep));
        ep = undefined;
      };
      for (const b of byNodeT.get(B)!) {
        const i1 = lastAtOrBefore(aByEnd, b.t, (x) => x.tEnd);
        const i2 = firstAtOrAfter(aByT, b.tEnd, (x) => x.t);
        if (i1 < 0 || i2 >= aByT.length) {
          close();
          continue;
        }
        const a1 = aByEnd[i1];
        const a2 = aByT[i2];
        if (failbackBetween(A, a1.tEnd, a2.t)) {
          close();
          continue;
        }
        if (!ep) ep = { first: b, last: b, before: a1, after: a2, seqs: [] };
        ep.last = b;
        ep.after = a2;
        ep.seqs.push(b.seq);
      }
      close();
    }
  }
  return out.sort((x, y) => x.start - y.start || x.bracketing.localeCompare(y.bracketing));
}

function interleavedEvidence(
  A: string,
  B: string,
  ep: { first: OkWrite; last: OkWrite; before: OkWrite; after: OkWrite; seqs: number[] },
): InterleavedAcksEvidence {
  const seqs = compressRanges(ep.seqs);
  const start = ep.first.t;
  const end = Math.max(ep.last.tEnd, ep.first.tEnd);
  return {
    type: "interleaved-acks",
    basis: "workload",
    severity: "split-brain",
    message:
      `${A} acknowledged write ${ep.before.seq} at ${formatT(ep.before.tEnd)}, then ${B} acknowledged ` +
      `${ep.seqs.length} write${ep.seqs.length > 1 ? "s" : ""} (${seqs}) between ${formatT(start)} and ${formatT(end)}, ` +
      `then ${A} acknowledged write ${ep.after.seq} invoked at ${formatT(ep.after.t)}: both accepted writes ` +
      `(from the workload, definitive).`,
    nodes: [A, B],
    bracketing: A,
    interleaved: B,
    start,
    end,
    durationMs: end - start,
    seqs,
    count: ep.seqs.length,
    before: { seq: ep.before.seq, ackedAt: ep.before.tEnd },
    after: { seq: ep.after.seq, invokedAt: ep.after.t, ackedAt: ep.after.tEnd },
  };
}
