/**
 * What the HTML report draws, derived from a RunReport: samples aggregated into runs, writes
 * into buckets, replication lag per replica. Pure functions of the recorded history, so a
 * 20k-event run becomes a few hundred shapes.
 */
import type { DcsSample, HistoryEvent, LogLine, NodeSample, NoteEvent, WriteOp } from "../history/events.js";
import type { RunReport } from "./model.js";
import { medianOf, naturalCompare } from "./html-util.js";

/** Consecutive samples sharing a value. `to` is the next run's first sample (or the end). */
export interface Run<V> {
  value: V;
  from: number;
  to: number;
  /** Index range [first, last] of the samples in the input array. */
  first: number;
  last: number;
}

/**
 * Merge consecutive samples (sorted by t) with equal `key` into runs. A run lasts until the
 * next run starts; the last one lasts one typical sampling interval past its last sample
 * (capped at `end`).
 */
export function runsOf<S extends { t: number }, V>(samples: readonly S[], key: (s: S) => V, end = Infinity): Run<V>[] {
  const out: Run<V>[] = [];
  if (!samples.length) return out;
  const gaps: number[] = [];
  for (let i = 1; i < samples.length && i < 200; i++) gaps.push(samples[i].t - samples[i - 1].t);
  const interval = Math.min(1000, Math.max(1, medianOf(gaps) || 200));
  let cur: Run<V> | undefined;
  for (let i = 0; i < samples.length; i++) {
    const v = key(samples[i]);
    if (cur && cur.value === v) {
      cur.last = i;
      continue;
    }
    if (cur) cur.to = samples[i].t;
    cur = { value: v, from: samples[i].t, to: samples[i].t, first: i, last: i };
    out.push(cur);
  }
  const lastRun = out[out.length - 1];
  lastRun.to = Math.max(lastRun.from, Math.min(end, samples[samples.length - 1].t + interval));
  return out;
}

export type RoleClass = "primary" | "replica" | "standby-leader" | "demoted" | "down" | "unknown";

/** A node sample's role for the swimlane: "down" when Patroni's REST API did not answer. */
export function roleClass(s: NodeSample): RoleClass {
  if (!s.restUp) return "down";
  switch (s.role) {
    case "primary":
      return "primary";
    case "replica":
      return "replica";
    case "standby_leader":
      return "standby-leader";
    case "demoted":
      return "demoted";
    default:
      return "unknown";
  }
}

export type Writability = "writable" | "read-only" | "pg-down";

export function writability(s: NodeSample): Writability {
  return s.writable === true ? "writable" : s.pgUp ? "read-only" : "pg-down";
}

/** Replicas only: streaming or not; null for anything else (nothing drawn). */
export function streamingOf(s: NodeSample): "streaming" | "not-streaming" | null {
  if (s.role !== "replica" && s.role !== "standby_leader") return null;
  if (!s.restUp && !s.pgUp) return null;
  return s.streaming ? "streaming" : "not-streaming";
}

export interface TimelineChange {
  node: string;
  t: number;
  timeline: number;
  previous: number | null;
}

export interface NodeLane {
  node: string;
  samples: NodeSample[];
  roles: (Run<RoleClass> & { states: string[]; timelines: number[] })[];
  writable: Run<Writability>[];
  streaming: Run<"streaming" | "not-streaming">[];
  timelineChanges: TimelineChange[];
  logs: LogLine[];
}

export interface EtcdLane {
  member: string;
  health: Run<"healthy" | "unhealthy" | "unknown">[];
  leader: Run<true>[];
}

export type DcsState = "unreadable" | "no-leader" | "leader";
export interface DcsRun extends Run<string> {
  state: DcsState;
  leader: string | null;
  /** Errors the samples of an unreadable run reported (distinct, up to three). */
  errors: string[];
  members: string[];
}

export interface WriteBucket {
  t0: number;
  t1: number;
  ok: number;
  fail: number;
  unknown: number;
}

export interface LagPoint {
  t: number;
  bytes: number;
}

/** Patroni log lines worth a mark on a lane: role changes and DCS trouble (as findings.ts). */
export const ROLE_LOG = /promot|demot|session lock|leader lock|acquir|failsafe|not accessible|rewind|following a new leader|shut ?down|crash/i;
const LOG_NOISE = /STATEMENT|ERROR:\s+cannot execute/;

export interface TimelineData {
  /** Visible time domain, ms on the history axis. */
  t0: number;
  t1: number;
  nodes: NodeLane[];
  etcd: EtcdLane[];
  dcs: DcsRun[];
  clusterReady?: NoteEvent;
  notes: NoteEvent[];
  bucketMs: number;
  buckets: WriteBucket[];
  /** Write latency points (tEnd - t) by outcome; `t` is the invocation. */
  writes: WriteOp[];
  /** Per replica node: lag points, sorted by t (gaps where no primary sample was close). */
  lag: Map<string, LagPoint[]>;
}

const is =
  <K extends HistoryEvent["kind"]>(k: K) =>
  (e: HistoryEvent): e is Extract<HistoryEvent, { kind: K }> =>
    e.kind === k;

/** Bucket size for write counts: 1 s, coarser for long runs (at most ~300 buckets). */
export function bucketSizeFor(spanMs: number): number {
  for (const b of [1000, 2000, 5000, 10_000, 30_000, 60_000]) if (spanMs / b <= 300) return b;
  return 300_000;
}

export function writeBuckets(writes: readonly WriteOp[], bucketMs: number): WriteBucket[] {
  const map = new Map<number, WriteBucket>();
  for (const w of writes) {
    const k = Math.floor(w.tEnd / bucketMs);
    let b = map.get(k);
    if (!b) map.set(k, (b = { t0: k * bucketMs, t1: (k + 1) * bucketMs, ok: 0, fail: 0, unknown: 0 }));
    b[w.outcome]++;
  }
  return [...map.values()].sort((a, b) => a.t0 - b.t0);
}

/**
 * Replication lag of each replica: the primary's `receivedLsn` (its current WAL position)
 * minus the replica's `replayedLsn`, pairing each replica sample with the closest primary
 * sample of another node within `maxSkewMs`. Reduced to the largest lag per `resolutionMs`.
 */
export function replicationLag(samples: readonly NodeSample[], resolutionMs = 250, maxSkewMs = 1000): Map<string, LagPoint[]> {
  const primaries = samples
    .filter((s) => s.role === "primary" && s.restUp && typeof s.receivedLsn === "number")
    .sort((a, b) => a.t - b.t);
  const out = new Map<string, LagPoint[]>();
  if (!primaries.length) return out;
  const sorted = [...samples].sort((a, b) => a.t - b.t);
  for (const s of sorted) {
    if (s.role === "primary" || typeof s.replayedLsn !== "number") continue;
    // Closest primary sample of another node.
    let lo = 0;
    let hi = primaries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (primaries[mid].t < s.t) lo = mid + 1;
      else hi = mid;
    }
    let best: NodeSample | undefined;
    for (let i = Math.max(0, lo - 3); i < Math.min(primaries.length, lo + 3); i++) {
      const p = primaries[i];
      if (p.node === s.node || Math.abs(p.t - s.t) > maxSkewMs) continue;
      if (!best || Math.abs(p.t - s.t) < Math.abs(best.t - s.t)) best = p;
    }
    if (!best) continue;
    const bytes = Math.max(0, (best.receivedLsn as number) - s.replayedLsn);
    let pts = out.get(s.node);
    if (!pts) out.set(s.node, (pts = []));
    const prev = pts[pts.length - 1];
    if (prev && Math.floor(prev.t / resolutionMs) === Math.floor(s.t / resolutionMs)) {
      if (bytes > prev.bytes) pts[pts.length - 1] = { t: s.t, bytes };
    } else pts.push({ t: s.t, bytes });
  }
  return out;
}

/** The visible time domain: from just before the cluster was ready to the last event. */
export function domainOf(events: readonly HistoryEvent[], historyMs: number): { t0: number; t1: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of events) {
    if (e.kind === "log" || e.kind === "probe") continue;
    if (e.kind === "note" && !/^cluster ready/.test(e.text)) continue;
    lo = Math.min(lo, e.t);
    hi = Math.max(hi, e.t, "tEnd" in e ? (e.tEnd ?? e.t) : e.t);
  }
  if (!Number.isFinite(lo)) return { t0: 0, t1: Math.max(1000, Math.ceil(historyMs / 1000) * 1000) };
  const t0 = Math.max(0, Math.floor((lo - 500) / 1000) * 1000);
  const t1 = Math.max(t0 + 1000, Math.ceil((hi + 200) / 1000) * 1000);
  return { t0, t1 };
}

/** Everything the timeline SVG draws. */
export function timelineData(r: RunReport, maxLogMarks = 60): TimelineData {
  const events = r.events;
  const { t0, t1 } = domainOf(events, r.durations.historyMs);
  const nodeSamples = events.filter(is("node")).sort((a, b) => a.t - b.t);
  const dcsSamples = events.filter(is("dcs")).sort((a, b) => a.t - b.t);
  const logs = events.filter(is("log"));
  const notes = events.filter(is("note")).sort((a, b) => a.t - b.t);

  const topo = r.topology.nodes;
  const patroniNames = new Set<string>(topo.filter((n) => n.kind === "patroni").map((n) => n.name));
  for (const s of nodeSamples) patroniNames.add(s.node);
  const etcdNames = new Set<string>(topo.filter((n) => n.kind === "etcd").map((n) => n.name));
  for (const s of dcsSamples) for (const m of Object.keys(s.etcdHealth ?? {})) etcdNames.add(m);

  const nodes: NodeLane[] = [...patroniNames].sort(naturalCompare).map((node) => {
    const ss = nodeSamples.filter((s) => s.node === node);
    const roles = runsOf(ss, roleClass, t1).map((run) => {
      const states = new Set<string>();
      const tls = new Set<number>();
      for (let i = run.first; i <= run.last; i++) {
        if (ss[i].state) states.add(ss[i].state as string);
        if (ss[i].timeline !== undefined) tls.add(ss[i].timeline as number);
      }
      return { ...run, states: [...states], timelines: [...tls] };
    });
    const timelineChanges: TimelineChange[] = [];
    let prev: number | null = null;
    for (const s of ss) {
      if (s.timeline === undefined || s.timeline === prev) continue;
      timelineChanges.push({ node, t: s.t, timeline: s.timeline, previous: prev });
      prev = s.timeline;
    }
    const streaming = runsOf(ss, streamingOf, t1).filter((x): x is Run<"streaming" | "not-streaming"> => x.value !== null);
    const nodeLogs = logs
      .filter((l) => l.node === node && l.t >= t0 && l.t <= t1 && ROLE_LOG.test(l.line) && !LOG_NOISE.test(l.line))
      .sort((a, b) => a.t - b.t)
      .slice(0, maxLogMarks);
    return { node, samples: ss, roles, writable: runsOf(ss, writability, t1), streaming, timelineChanges, logs: nodeLogs };
  });

  const etcd: EtcdLane[] = [...etcdNames].sort(naturalCompare).map((member) => ({
    member,
    health: runsOf(dcsSamples, (s: DcsSample) => {
      const h = s.etcdHealth?.[member];
      return h === true ? "healthy" : h === false ? "unhealthy" : "unknown";
    }, t1) as Run<"healthy" | "unhealthy" | "unknown">[],
    leader: runsOf(dcsSamples, (s: DcsSample) => s.etcdLeader === member, t1).filter((x): x is Run<true> => x.value === true),
  }));

  const dcs: DcsRun[] = runsOf(dcsSamples, (s: DcsSample) => (!s.reachable ? "unreadable" : s.leader === null ? "no-leader" : `leader:${s.leader}`), t1).map(
    (run) => {
      const errors = new Set<string>();
      const members = new Set<string>();
      for (let i = run.first; i <= run.last; i++) {
        const s = dcsSamples[i];
        if (s.error && errors.size < 3) errors.add(s.error);
        for (const m of s.members ?? []) members.add(m);
      }
      const state: DcsState = run.value === "unreadable" ? "unreadable" : run.value === "no-leader" ? "no-leader" : "leader";
      return {
        ...run,
        state,
        leader: state === "leader" ? run.value.slice("leader:".length) : null,
        errors: [...errors],
        members: [...members].sort(naturalCompare),
      };
    },
  );

  const writes = events.filter(is("write")).sort((a, b) => a.t - b.t);
  const bucketMs = bucketSizeFor(t1 - t0);
  return {
    t0,
    t1,
    nodes,
    etcd,
    dcs,
    clusterReady: notes.find((n) => /^cluster ready/.test(n.text)),
    notes: notes.filter((n) => n.t >= t0 && n.t <= t1),
    bucketMs,
    buckets: writeBuckets(writes, bucketMs),
    writes,
    lag: replicationLag(nodeSamples, Math.max(100, Math.round((t1 - t0) / 800))),
  };
}
