import type { Etcd3, Watcher } from "etcd3";
import type { History } from "../history/history.js";
import type { DcsWatchEvent, FaultEvent, HistoryEvent } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { dcsPrefix, etcd3Client } from "../lab/lab-clients.js";
import { errorText } from "../util/errors.js";
import { sleep } from "../util/time.js";

/** How much of a value other than the leader's and a member's is kept. */
const VALUE_CHARS = 160;

/**
 * A key's value in short, for the journal: the leader key's holder as is, a member key's
 * role, state and WAL position (its whole JSON is connection strings and tags), anything else
 * cut to VALUE_CHARS.
 */
export function valueSummary(key: string, value: string): string {
  if (key.startsWith("members/")) {
    try {
      const m = JSON.parse(value) as { role?: string; state?: string; xlog_location?: number; timeline?: number };
      return [m.role, m.state, m.xlog_location !== undefined ? `xlog ${m.xlog_location}` : undefined, m.timeline !== undefined ? `tl ${m.timeline}` : undefined]
        .filter((x) => x !== undefined)
        .join(" ");
    } catch {
      /* not JSON: kept as text below */
    }
  }
  return value.length > VALUE_CHARS ? `${value.slice(0, VALUE_CHARS)}…` : value;
}

/**
 * The etcd member the watch is pinned to: the last member none of the scenario's steps names
 * (faults that pick their own targets take the first members, a majority at most), else the
 * last member. Which fault did reach it anyway is noted after the run (pinnedMemberFaulted).
 */
export function pinnedWatchMember(etcdMembers: readonly string[], namedInSteps: ReadonlySet<string>): string {
  for (let i = etcdMembers.length - 1; i >= 0; i--) if (!namedInSteps.has(etcdMembers[i])) return etcdMembers[i];
  return etcdMembers[etcdMembers.length - 1];
}

/**
 * Follows every key of the cluster (leader, members/, failsafe, config, status, initialize,
 * history, sync, ...) through one etcd3 watch on one pinned etcd member, and appends each
 * change to the history with its revision. Unlike the 200 ms poll (dcs-sampler.ts, which the
 * conditions read), it misses no change: when the stream breaks, the watch resumes from the
 * revision after its last event and etcd replays what happened meanwhile.
 */
export class DcsWatchRecorder {
  private client?: Etcd3;
  private watcher?: Watcher;
  private started?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly lab: Lab,
    readonly member: string,
  ) {}

  async start(now: () => number, history: History): Promise<void> {
    const prefix = dcsPrefix(this.lab);
    const member = this.member;
    this.client = etcd3Client(this.lab, member, { retries: true });
    const rel = (key: Buffer) => key.toString("utf8").slice(prefix.length);
    let revision = 0;
    const watch = async (): Promise<void> => {
      const watcher = await this.client!.watch().prefix(prefix).withPreviousKV().create();
      this.watcher = watcher;
      if (this.stopped) return;
      // The watch starts after the store's revision at connection (start_revision is that + 1).
      revision = Number(watcher.request.start_revision ?? 1) - 1;
      history.append({ kind: "dcs-watch-status", t: now(), member, state: "connected", revision });
      watcher.on("data", (res) => {
        const t = now();
        revision = Number(res.header.revision);
        for (const ev of res.events) {
          const key = rel(ev.kv.key);
          const e: DcsWatchEvent = { kind: "dcs-watch", t, member, key, type: ev.type === "Delete" ? "delete" : "put", revision, modRevision: Number(ev.kv.mod_revision) };
          if (e.type === "put") e.value = valueSummary(key, ev.kv.value.toString("utf8"));
          else if (ev.prev_kv) e.previous = valueSummary(key, ev.prev_kv.value.toString("utf8"));
          const lease = e.type === "put" ? ev.kv.lease : ev.prev_kv?.lease;
          if (lease && lease !== "0") e.lease = true;
          history.append(e);
        }
      });
      watcher.on("connected", (res) => {
        const now_ = Number(res.header.revision);
        // A rebuilt store (etcd-rebuild) starts again from revision 1: resuming after the last
        // revision seen would wait for that revision and see nothing meanwhile. Watch afresh.
        if (now_ < revision) {
          history.append({ kind: "dcs-watch-status", t: now(), member, state: "connected", revision: now_, detail: `the store's revision went back from ${revision} to ${now_} (rebuilt): watching again from there` });
          void watcher.cancel().catch(() => {});
          if (!this.stopped) void watch().catch((e) => history.append({ kind: "dcs-watch-status", t: now(), member, state: "error", detail: errorText(e) }));
          return;
        }
        history.append({ kind: "dcs-watch-status", t: now(), member, state: "connected", revision: now_ });
      });
      watcher.on("disconnected", (err) => {
        history.append({ kind: "dcs-watch-status", t: now(), member, state: "disconnected", detail: errorText(err), ...(revision ? { revision } : {}) });
      });
      watcher.on("error", (err) => {
        history.append({ kind: "dcs-watch-status", t: now(), member, state: "error", detail: errorText(err) });
      });
    };
    await watch();
  }

  /** Starts the watch in the background; a member that cannot be reached is recorded, not thrown. */
  begin(now: () => number, history: History): void {
    this.started = this.start(now, history).catch((e) => {
      history.append({ kind: "dcs-watch-status", t: now(), member: this.member, state: "error", detail: errorText(e) });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Cancelling needs the member; a frozen one must not hold up the run's end.
    if (this.watcher) await Promise.race([this.watcher.cancel().catch(() => {}), sleep(2000)]);
    this.client?.close();
  }
}

/** Every string inside a parsed value (the node names a scenario's steps mention, among others). */
export function stringLeaves(v: unknown, out = new Set<string>()): Set<string> {
  if (typeof v === "string") out.add(v);
  else if (Array.isArray(v)) for (const x of v) stringLeaves(x, out);
  else if (v && typeof v === "object") for (const x of Object.values(v)) stringLeaves(x, out);
  return out;
}

/** A note for the record when a fault did reach the watch's member: its events have a gap or a stall there. */
export function pinnedMemberFaulted(events: readonly HistoryEvent[], member: string): string | undefined {
  const hits = events.filter((e): e is FaultEvent => e.kind === "fault" && e.phase === "inject" && e.targets.includes(member));
  if (!hits.length) return undefined;
  return `the DCS watch was pinned to ${member}, which ${hits.map((h) => `${h.fault} (${h.id})`).join(", ")} also took away: its dcs-watch events stall while it is away and resume with the changes it missed`;
}
