/**
 * What the etcd3 watch (recorder/dcs-watch-recorder.ts) recorded, in figures for report.json and
 * report.md, and the pieces the timeline's dcs-watch lane draws: leased keys deleted together,
 * the broken stream's windows, the store's revision going back.
 */
import type { DcsWatchEvent, DcsWatchStatus, HistoryEvent } from "../history/events.js";

/** Deletes of leased keys this close in time (and revision) are one burst. */
const BURST_MS = 1000;
const BURST_REVISIONS = 3;

export interface DcsWatchFacts {
  /** The etcd member the watch was pinned to. */
  member: string;
  /** Changes recorded (puts and deletes of every key) and their revisions. */
  changes: number;
  revisions: { from: number; to: number };
  /** The leader key's puts and deletes, with the revision of each (in order). */
  leaderKey: { puts: number; deletes: number; revisions: number[] };
  memberKeyDeletes: number;
  /** Leased keys deleted together (leases expiring or revoked): keys and revisions per burst. */
  leaseBursts: { keys: string[]; revisions: { from: number; to: number } }[];
  /** Changes per other key (failsafe, config, failover, history, ...); `status` puts counted apart. */
  otherKeys: Record<string, number>;
  statusPuts: number;
  /** Times the watch's stream broke or failed (consecutive reports of one outage count once). */
  streamBreaks: number;
  /** Reconnects at a revision below the last change seen: the store was replaced (rebuilt, restored). */
  revisionResets: { t: number; from: number; to: number }[];
}

const isWatch = (e: HistoryEvent): e is DcsWatchEvent => e.kind === "dcs-watch";
const isStatus = (e: HistoryEvent): e is DcsWatchStatus => e.kind === "dcs-watch-status";

/** Leased keys deleted together, in revision order (bursts of two or more). */
export function deleteBursts(events: readonly DcsWatchEvent[]): DcsWatchEvent[][] {
  const dels = events.filter((e) => e.type === "delete" && e.lease).sort((a, b) => a.modRevision - b.modRevision);
  const out: DcsWatchEvent[][] = [];
  for (const d of dels) {
    const last = out[out.length - 1];
    const prev = last?.[last.length - 1];
    if (prev && d.t - last[0].t <= BURST_MS && d.modRevision - prev.modRevision <= BURST_REVISIONS) last.push(d);
    else out.push([d]);
  }
  return out.filter((b) => b.length > 1);
}

/** The watch's outages: from a disconnect or error to the next connect (else `end`); reports of one outage merged. */
export function streamOutages(status: readonly DcsWatchStatus[], end: number): { from: number; to: number; state: string; details: string[]; revision?: number; member: string }[] {
  const out: { from: number; to: number; state: string; details: string[]; revision?: number; member: string }[] = [];
  status.forEach((s, i) => {
    if (s.state === "connected") return;
    const to = status.slice(i + 1).find((n) => n.state === "connected")?.t ?? end;
    const prev = out[out.length - 1];
    if (prev && prev.to === to) {
      if (s.detail && !prev.details.includes(s.detail)) prev.details.push(s.detail);
      if (s.state === "error") prev.state = "error";
      return;
    }
    out.push({ from: s.t, to, state: s.state, details: s.detail ? [s.detail] : [], member: s.member, ...(s.revision ? { revision: s.revision } : {}) });
  });
  return out;
}

/**
 * A reconnect (or an event) at a revision below the last change seen: the store was replaced.
 * (A reconnect's revision is the store's current one, above the changes it then replays: it
 * only lowers the mark, never raises it.)
 */
export function revisionResets(status: readonly DcsWatchStatus[], events: readonly DcsWatchEvent[]): { t: number; from: number; to: number }[] {
  const out: { t: number; from: number; to: number }[] = [];
  let last = 0;
  const items = [...status.map((s) => ({ t: s.t, s })), ...events.map((e) => ({ t: e.t, e }))].sort((a, b) => a.t - b.t);
  for (const item of items) {
    const rev = "s" in item ? (item.s.state === "connected" ? item.s.revision : undefined) : item.e.modRevision;
    if (rev === undefined) continue;
    if (last && rev < last) out.push({ t: item.t, from: last, to: rev });
    if ("e" in item || rev < last) last = rev;
  }
  return out;
}

/** The watch's record in figures; undefined when the run has no dcs-watch events. */
export function dcsWatchFacts(all: readonly HistoryEvent[]): DcsWatchFacts | undefined {
  const events = all.filter(isWatch).sort((a, b) => a.t - b.t || a.modRevision - b.modRevision);
  if (!events.length) return undefined;
  const status = all.filter(isStatus).sort((a, b) => a.t - b.t);
  const leader = events.filter((e) => e.key === "leader");
  const otherKeys: Record<string, number> = {};
  for (const e of events) if (e.key !== "leader" && e.key !== "status" && !e.key.startsWith("members/")) otherKeys[e.key] = (otherKeys[e.key] ?? 0) + 1;
  const revs = events.map((e) => e.modRevision);
  return {
    member: status[0]?.member ?? events[0].member,
    changes: events.length,
    revisions: { from: Math.min(...revs), to: Math.max(...revs) },
    leaderKey: { puts: leader.filter((e) => e.type === "put").length, deletes: leader.filter((e) => e.type === "delete").length, revisions: leader.map((e) => e.modRevision) },
    memberKeyDeletes: events.filter((e) => e.type === "delete" && e.key.startsWith("members/")).length,
    leaseBursts: deleteBursts(events).map((b) => ({ keys: b.map((e) => e.key), revisions: { from: b[0].modRevision, to: b[b.length - 1].modRevision } })),
    otherKeys,
    statusPuts: events.filter((e) => e.key === "status").length,
    streamBreaks: streamOutages(status, Infinity).length,
    revisionResets: revisionResets(status, events),
  };
}

/** One line for report.md. */
export function dcsWatchLine(f: DcsWatchFacts): string {
  const parts = [
    `${f.changes} changes on ${f.member}, revisions ${f.revisions.from}–${f.revisions.to}`,
    `leader key: ${f.leaderKey.puts} put${f.leaderKey.puts === 1 ? "" : "s"}, ${f.leaderKey.deletes} delete${f.leaderKey.deletes === 1 ? "" : "s"}${f.leaderKey.revisions.length ? ` (revisions ${f.leaderKey.revisions.join(", ")})` : ""}`,
    `member keys deleted: ${f.memberKeyDeletes}`,
  ];
  if (f.leaseBursts.length) parts.push(`leased keys deleted together: ${f.leaseBursts.map((b) => `${b.keys.length} at revisions ${b.revisions.from}–${b.revisions.to}`).join(", ")}`);
  const others = Object.entries(f.otherKeys);
  if (others.length) parts.push(`other keys: ${others.map(([k, n]) => `${k} ×${n}`).join(", ")}`);
  parts.push(`status puts: ${f.statusPuts}`);
  if (f.streamBreaks) parts.push(`stream broken ${f.streamBreaks}×`);
  if (f.revisionResets.length) parts.push(`revision went back ${f.revisionResets.map((r) => `${r.from}→${r.to}`).join(", ")} (store replaced; a resumed watch sees nothing until the store passes its old revision)`);
  return parts.join("; ");
}
