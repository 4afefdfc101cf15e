import type { History } from "../history/history.js";
import type { DcsSample } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { dcsPrefix, etcdHttp } from "../lab/lab-clients.js";
import { errorText } from "../util/errors.js";
import type { HarnessStallMonitor } from "./harness-stall.js";

interface MemberValue {
  xlog_location?: number;
  role?: string;
}

/**
 * Samples the DCS as Patroni would see it through a healthy member: leader key and member
 * keys (linearizable read, tried on each etcd member in turn), plus each member's own health
 * and its idea of the raft leader.
 */
export class DcsSampler {
  private preferred = 0;
  private memberIds = new Map<string, string>();

  constructor(
    private readonly lab: Lab,
    private readonly timeoutMs: number,
    private readonly stalls?: HarnessStallMonitor,
  ) {}

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    const t0 = performance.now();
    const etcds = this.lab.etcdNodes().map((n) => n.name);
    const prefix = dcsPrefix(this.lab);
    const healthP = Promise.all(
      etcds.map(async (name) => {
        const c = etcdHttp(this.lab, name);
        const [h, st] = await Promise.allSettled([c.health(this.timeoutMs), c.status(this.timeoutMs)]);
        if (st.status === "fulfilled") this.memberIds.set(st.value.memberId, name);
        return { name, healthy: h.status === "fulfilled" && h.value, leaderId: st.status === "fulfilled" ? st.value.leaderId : undefined };
      }),
    );
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
    const health = await healthP;
    for (const h of health) s.etcdHealth[h.name] = h.healthy;
    const leaderIds = health.map((h) => h.leaderId).filter((x): x is string => !!x && x !== "0");
    if (leaderIds.length) s.etcdLeader = this.memberIds.get(leaderIds[0]) ?? null;
    const failed = !s.reachable || Object.values(s.etcdHealth).some((h) => !h);
    const stallMs = failed ? (this.stalls?.stalledMs(t0, performance.now()) ?? 0) : 0;
    const unhealthy = Object.keys(s.etcdHealth).filter((m) => !s.etcdHealth[m]);
    const error = [s.error, unhealthy.length ? `unhealthy: ${unhealthy.join(", ")}` : ""].filter(Boolean).join("; ");
    history.append(stallMs > 0 ? { kind: "unknown-sample", t, of: "dcs", stallMs: Math.round(stallMs), ...(error ? { error } : {}) } : s);
  }
}
