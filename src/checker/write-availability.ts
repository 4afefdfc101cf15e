import type { HistoryEvent, WriteOp } from "../history/events.js";
import type { Checker, Evidence, UnavailabilityWindowEvidence, Verdict } from "./checker.js";
import { eventsOf, median, mergeOpts } from "./util.js";
import { formatDuration, formatT } from "../util/time.js";

/**
 * write-availability: how long clients could not get a write acknowledged (the client-visible
 * RTO).
 *
 * For a series of WriteOps (all of them, and separately each `via`):
 * - threshold = max(`factor` (3) × the median interval between consecutive attempt invocations,
 *   `minWindowMs` (1000 ms)).
 * - The workload is **running** over the union of the attempts' [t, tEnd] intervals, where two
 *   consecutive attempts separated by an idle gap (nothing in flight) no longer than the
 *   threshold belong to the same period. Longer idle gaps mean the workload was stopped and are
 *   not counted as unavailability.
 * - Inside a running period [P0, P1], let a1 < ... < an be the acknowledgement times (tEnd of ok
 *   writes). The candidate gaps are [P0, a1], [ai, ai+1] and [an, P1] (the whole period if no
 *   write was acknowledged). An **unavailability window** is a gap whose *unavailable time* is
 *   longer than the threshold.
 * - A gap's unavailable time is its length less the time covered by writes that timed out while
 *   pgchaos itself stalled (WriteOp.stallMs, outcome unknown; the workload records them so, see
 *   workload/writer.ts): their timeouts say nothing about the cluster, so the time they were in
 *   flight is not observed, neither available nor unavailable. A window keeps its span (from ack
 *   to ack) as `start`/`end`; its `durationMs` is the unavailable time, and `harnessStalledMs` the
 *   time left out. Journals written before `stallMs` existed have no such writes: judged as before.
 *
 * Without `maxUnavailableMs` the verdict is informational (always ok) and reports figures. With
 * it, the verdict fails when the longest window of the chosen series (`via`, default all
 * writes) exceeds it.
 */
export interface WriteAvailabilityOptions {
  /** Fail when the longest window exceeds this many ms. */
  maxUnavailableMs?: number;
  /** Series `maxUnavailableMs` applies to. Default "all" (any acknowledged write counts). */
  via?: "all" | "direct" | "haproxy";
  /** Threshold floor, ms. Default 1000. */
  minWindowMs?: number;
  /** Threshold multiple of the median attempt interval. Default 3. */
  factor?: number;
}

const NAME = "write-availability";
type Via = "all" | "direct" | "haproxy";

export interface SeriesAvailability {
  via: Via;
  attempts: number;
  acked: number;
  thresholdMs: number;
  runningMs: number;
  windows: UnavailabilityWindowEvidence[];
  longestMs: number;
  totalMs: number;
}

export function writeAvailability(defaults?: WriteAvailabilityOptions): Checker {
  return {
    name: NAME,
    check(events: readonly HistoryEvent[], opts?: object): Verdict {
      return checkAvailability(events, mergeOpts<WriteAvailabilityOptions>(defaults, opts));
    },
  };
}

/** Unavailability windows of one series of writes (any order). */
export function availabilityOf(
  writes: readonly WriteOp[],
  via: Via,
  opts: { minWindowMs?: number; factor?: number } = {},
): SeriesAvailability {
  const ops = [...writes].sort((a, b) => a.t - b.t || a.tEnd - b.tEnd);
  const intervals: number[] = [];
  for (let i = 1; i < ops.length; i++) intervals.push(ops[i].t - ops[i - 1].t);
  const med = intervals.length ? median(intervals) : 0;
  const threshold = Math.max((opts.factor ?? 3) * med, opts.minWindowMs ?? 1000);

  // Running periods.
  const periods: { start: number; end: number; ops: WriteOp[] }[] = [];
  for (const op of ops) {
    const cur = periods[periods.length - 1];
    if (cur && op.t - cur.end <= threshold) {
      cur.end = Math.max(cur.end, op.tEnd);
      cur.ops.push(op);
    } else periods.push({ start: op.t, end: Math.max(op.t, op.tEnd), ops: [op] });
  }

  const windows: UnavailabilityWindowEvidence[] = [];
  let runningMs = 0;
  for (const p of periods) {
    runningMs += p.end - p.start;
    const acks = p.ops.filter((o) => o.outcome === "ok").sort((a, b) => a.tEnd - b.tEnd);
    const unobserved = stalledIntervals(p.ops);
    const points: { t: number; op?: WriteOp }[] = [{ t: p.start }, ...acks.map((op) => ({ t: op.tEnd, op })), { t: p.end }];
    for (let i = 1; i < points.length; i++) {
      const a = points[i - 1];
      const b = points[i];
      if (b.t - a.t <= threshold) continue;
      const stalledMs = coveredMs(unobserved, a.t, b.t);
      if (b.t - a.t - stalledMs <= threshold) continue;
      windows.push(windowEvidence(via, a, b, i === 1, i === points.length - 1, p.ops, stalledMs));
    }
  }
  return {
    via,
    attempts: ops.length,
    acked: ops.filter((o) => o.outcome === "ok").length,
    thresholdMs: threshold,
    runningMs,
    windows,
    longestMs: windows.reduce((m, w) => Math.max(m, w.durationMs), 0),
    totalMs: windows.reduce((acc, w) => acc + w.durationMs, 0),
  };
}

/** The union of the [t, tEnd] of the writes that timed out while pgchaos stalled, as sorted disjoint intervals. */
function stalledIntervals(ops: readonly WriteOp[]): [number, number][] {
  const iv = ops
    .filter((o) => o.outcome !== "ok" && (o.stallMs ?? 0) > 0)
    .map((o): [number, number] => [o.t, Math.max(o.t, o.tEnd)])
    .sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [s, e] of iv) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** How much of [from, to] the disjoint intervals cover, ms. */
function coveredMs(intervals: readonly [number, number][], from: number, to: number): number {
  let ms = 0;
  for (const [s, e] of intervals) ms += Math.max(0, Math.min(e, to) - Math.max(s, from));
  return ms;
}

function windowEvidence(
  via: Via,
  a: { t: number; op?: WriteOp },
  b: { t: number; op?: WriteOp },
  atRunStart: boolean,
  atRunEnd: boolean,
  ops: WriteOp[],
  stalledMs: number,
): UnavailabilityWindowEvidence {
  const inside = ops.filter((o) => o.t >= a.t && o.t <= b.t && o !== b.op);
  const failed = inside.filter((o) => o.outcome === "fail").length;
  const unknown = inside.filter((o) => o.outcome === "unknown").length;
  const stalled = inside.filter((o) => o.outcome !== "ok" && (o.stallMs ?? 0) > 0).length;
  const errors = [...new Set(inside.map((o) => o.error).filter((e): e is string => !!e))].slice(0, 3);
  const dur = b.t - a.t - stalledMs;
  const from = a.op ? `the ack of write ${a.op.seq} at ${formatT(a.t)}` : `the workload start at ${formatT(a.t)}`;
  const to = b.op ? `the ack of write ${b.op.seq} at ${formatT(b.t)}` : `the workload end at ${formatT(b.t)}`;
  return {
    type: "unavailability-window",
    message:
      `No write acknowledged${via === "all" ? "" : ` via ${via}`} for ${formatDuration(dur)}, from ${from} to ${to}: ` +
      `${inside.length} attempts (${failed} failed, ${unknown} unknown)` +
      (errors.length ? `; errors: ${errors.join(" | ")}` : "") +
      (stalledMs > 0
        ? `; ${formatDuration(stalledMs)} not counted: ${stalled} attempt${stalled === 1 ? "" : "s"} timed out while pgchaos itself stalled`
        : "") +
      ".",
    via,
    start: a.t,
    end: b.t,
    durationMs: dur,
    atRunStart,
    atRunEnd,
    ...(a.op ? { lastAckBefore: { seq: a.op.seq, node: a.op.node, t: a.t } } : {}),
    ...(b.op ? { firstAckAfter: { seq: b.op.seq, node: b.op.node, t: b.t } } : {}),
    attempts: inside.length,
    failed,
    unknown,
    errors,
    ...(stalledMs > 0 ? { harnessStalledMs: stalledMs, harnessStalled: stalled } : {}),
  };
}

function checkAvailability(events: readonly HistoryEvent[], o: Partial<WriteAvailabilityOptions>): Verdict {
  const writes = eventsOf(events, "write");
  const limited = o.maxUnavailableMs !== undefined;
  if (writes.length === 0) {
    return {
      checker: NAME,
      ok: !limited,
      ...(limited ? { unknown: true } : {}),
      summary: "no writes recorded" + (limited ? ": cannot judge availability" : ""),
      evidence: [{ type: "note", message: "The history has no WriteOp events (was the workload enabled?)." }],
      figures: { attempts: 0 },
    };
  }
  const series: SeriesAvailability[] = [availabilityOf(writes, "all", o)];
  for (const via of ["direct", "haproxy"] as const) {
    const w = writes.filter((x) => x.via === via);
    if (w.length) series.push(availabilityOf(w, via, o));
  }
  const figures: Record<string, number> = {};
  for (const s of series) {
    const p = s.via === "all" ? "" : `${s.via}.`;
    figures[`${p}attempts`] = s.attempts;
    figures[`${p}acked`] = s.acked;
    figures[`${p}thresholdMs`] = s.thresholdMs;
    figures[`${p}runningMs`] = s.runningMs;
    figures[`${p}windows`] = s.windows.length;
    figures[`${p}longestMs`] = s.longestMs;
    figures[`${p}totalUnavailableMs`] = s.totalMs;
  }
  // With a single `via`, its windows are those of "all": list them once.
  const evidence: Evidence[] = (series.length > 2 ? series : series.slice(0, 1)).flatMap((s) => s.windows);

  const target = o.via ?? "all";
  const judged = series.find((s) => s.via === target);
  const describe = (s: SeriesAvailability) =>
    `${s.via === "all" ? "" : `${s.via}: `}${s.windows.length} window${s.windows.length === 1 ? "" : "s"}` +
    (s.windows.length ? `, longest ${formatDuration(s.longestMs)}, total ${formatDuration(s.totalMs)}` : "");
  const perVia = series.slice(1);
  const body =
    perVia.length > 1 ? series.map(describe).join("; ") : `${describe(series[0])} (all writes via ${perVia[0].via})`;

  if (!limited) {
    return {
      checker: NAME,
      ok: true,
      summary: `write unavailability (informational): ${body}`,
      evidence,
      figures,
    };
  }
  if (!judged) {
    return {
      checker: NAME,
      ok: false,
      unknown: true,
      summary: `no writes via ${target}: cannot judge availability; ${body}`,
      evidence,
      figures,
    };
  }
  const ok = judged.longestMs <= o.maxUnavailableMs!;
  figures.maxUnavailableMs = o.maxUnavailableMs!;
  return {
    checker: NAME,
    ok,
    summary:
      `longest window${target === "all" ? "" : ` via ${target}`} ${formatDuration(judged.longestMs)} ` +
      `${ok ? "within" : "exceeds"} the limit of ${formatDuration(o.maxUnavailableMs!)}; ${body}`,
    evidence,
    figures,
  };
}
