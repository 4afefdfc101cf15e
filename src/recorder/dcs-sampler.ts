import type { History } from "../history/history.js";
import type { DcsSample } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { dcsPrefix, etcdHttp } from "../lab/lab-clients.js";
import { errorText } from "../util/errors.js";
import type { HarnessStallMonitor } from "./harness-stall.js";
import type { Attention } from "./attention.js";

interface MemberValue {
  xlog_location?: number;
  role?: string;
}

/**
 * How often each etcd member's /health and raft status are asked: every ETCD_HEALTH_CLOSE_MS
 * within a change (attention.ts), every ETCD_HEALTH_EVERY_MS otherwise. /health is a
 * linearizable read (a ReadIndex round through the raft leader) on every member, so asking it
 * with every 200 ms sample cost etcd more than Patroni's own traffic did; health is read by
 * conditions with budgets of seconds, so once a second around changes keeps them exact to that
 * second.
 */
export const ETCD_HEALTH_EVERY_MS = 3000;
export const ETCD_HEALTH_CLOSE_MS = 1000;

interface EtcdHealthReading {
  t: number;
  etcdHealth: Record<string, boolean>;
  etcdLeader?: string | null;
  /** The harness stalled while it was asked: a failed answer says nothing. */
  stallMs: number;
}

/**
 * Samples the DCS as Patroni would see it through a healthy member: leader key and member
 * keys (linearizable read, tried on each etcd member in turn) with every sample, plus each
 * member's own health and its idea of the raft leader every `healthEveryMs`.
 */
export class DcsSampler {
  private preferred = 0;
  private memberIds = new Map<string, string>();
  private health?: EtcdHealthReading;
  private healthAsked = -Infinity;
  private healthInFlight?: Promise<void>;
  private lastState?: string;

  constructor(
    private readonly lab: Lab,
    private readonly timeoutMs: number,
    private readonly stalls?: HarnessStallMonitor,
    private readonly healthEveryMs = ETCD_HEALTH_EVERY_MS,
    /** Raised when the keys' holder, the members or reachability change (attention.ts). */
    private readonly attention?: Attention,
  ) {}

  /** Every member's /health and raft status, asked in parallel. */
  private async readHealth(t: number): Promise<void> {
    const t0 = performance.now();
    const etcds = this.lab.etcdNodes().map((n) => n.name);
    const health = await Promise.all(
      etcds.map(async (name) => {
        const c = etcdHttp(this.lab, name);
        const [h, st] = await Promise.allSettled([c.health(this.timeoutMs), c.status(this.timeoutMs)]);
        if (st.status === "fulfilled") this.memberIds.set(st.value.memberId, name);
        return { name, healthy: h.status === "fulfilled" && h.value, leaderId: st.status === "fulfilled" ? st.value.leaderId : undefined };
      }),
    );
    const reading: EtcdHealthReading = { t, etcdHealth: {}, stallMs: 0 };
    for (const h of health) reading.etcdHealth[h.name] = h.healthy;
    const leaderIds = health.map((h) => h.leaderId).filter((x): x is string => !!x && x !== "0");
    if (leaderIds.length) reading.etcdLeader = this.memberIds.get(leaderIds[0]) ?? null;
    if (Object.values(reading.etcdHealth).some((h) => !h)) reading.stallMs = this.stalls?.stalledMs(t0, performance.now()) ?? 0;
    this.health = reading;
  }

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    const t0 = performance.now();
    const etcds = this.lab.etcdNodes().map((n) => n.name);
    const prefix = dcsPrefix(this.lab);
    const every = this.attention?.closely(t) ? Math.min(this.healthEveryMs, ETCD_HEALTH_CLOSE_MS) : this.healthEveryMs;
    if (!this.healthInFlight && t - this.healthAsked >= every) {
      this.healthAsked = t;
      this.healthInFlight = this.readHealth(t).finally(() => (this.healthInFlight = undefined));
    }
    // The first sample waits for the first health reading; later ones carry the latest.
    const firstHealth = this.health ? undefined : this.healthInFlight;
    const s: DcsSample = { kind: "dcs", t, reachable: false, leader: null, members: [], etcdHealth: {} };
    let lastErr = "";
    for (let i = 0; i < etcds.length && !s.reachable; i++) {
      const name = etcds[(this.preferred + i) % etcds.length];
      try {
        const kvs = await etcdHttp(this.lab, name).range(prefix, { timeoutMs: this.timeoutMs });
        s.reachable = true;
        this.preferred = etcds.indexOf(name);
        const members: Record<string, MemberValue> = {};
        for (const kv of kvs) {
          const rel = kv.key.slice(prefix.length);
          if (rel === "leader") s.leader = kv.value;
          else if (rel === "sync") s.sync = parseSyncKey(kv.value);
          else if (rel.startsWith("members/")) {
            const m = rel.slice("members/".length);
            s.members.push(m);
            try {
              members[m] = JSON.parse(kv.value) as MemberValue;
            } catch {
              members[m] = {};
            }
          }
        }
        s.members.sort();
        // The lag column as patronictl computes it: from member keys, up to loop_wait old.
        const leaderX = s.leader ? members[s.leader]?.xlog_location : undefined;
        if (leaderX !== undefined) {
          s.dcsLagBytes = {};
          for (const [m, v] of Object.entries(members)) {
            if (m !== s.leader && v.xlog_location !== undefined) s.dcsLagBytes[m] = Math.max(0, leaderX - v.xlog_location);
          }
        }
      } catch (e) {
        lastErr = `${name}: ${errorText(e)}`;
      }
    }
    if (!s.reachable) {
      s.error = lastErr;
      this.preferred = (this.preferred + 1) % etcds.length;
    }
    await firstHealth;
    const health = this.health;
    if (health) {
      s.etcdHealth = { ...health.etcdHealth };
      if (health.etcdLeader !== undefined) s.etcdLeader = health.etcdLeader;
      s.etcdHealthT = health.t;
    }
    const failed = !s.reachable || Object.values(s.etcdHealth).some((h) => !h);
    const stallMs = failed ? Math.max(this.stalls?.stalledMs(t0, performance.now()) ?? 0, health?.stallMs ?? 0) : 0;
    const unhealthy = Object.keys(s.etcdHealth).filter((m) => !s.etcdHealth[m]);
    const error = [s.error, unhealthy.length ? `unhealthy: ${unhealthy.join(", ")}` : ""].filter(Boolean).join("; ");
    if (stallMs > 0) {
      history.append({ kind: "unknown-sample", t, of: "dcs", stallMs: Math.round(stallMs), ...(error ? { error } : {}) });
      return;
    }
    const state = JSON.stringify([s.reachable, s.leader, s.members, s.etcdLeader, unhealthy, s.sync]);
    if (this.lastState !== undefined && state !== this.lastState) this.attention?.raise(t);
    this.lastState = state;
    history.append(s);
  }
}

/**
 * Patroni's /sync key: `{"leader": "pg1", "sync_standby": "pg2"}` (several standbys
 * comma-separated, none as null; Patroni 4's quorum mode adds `"quorum": 1`). A value that does
 * not parse is kept as no standbys, with no leader.
 */
export function parseSyncKey(value: string): NonNullable<DcsSample["sync"]> {
  try {
    const v = JSON.parse(value) as { leader?: unknown; sync_standby?: unknown; quorum?: unknown };
    const standbys = typeof v.sync_standby === "string" ? v.sync_standby.split(",").map((x) => x.trim()).filter(Boolean).sort() : [];
    return { leader: typeof v.leader === "string" ? v.leader : null, standbys, ...(typeof v.quorum === "number" ? { quorum: v.quorum } : {}) };
  } catch {
    return { leader: null, standbys: [] };
  }
}
