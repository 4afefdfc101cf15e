import { readFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { History } from "../history/history.js";
import type { DcsEndpointSample, FaultEvent, HistoryEvent } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { ETCD_CLIENT_PORT } from "../lab/etcd-command.js";
import { errorText } from "../util/errors.js";

const execFileP = promisify(execFile);

/** How often each Patroni container's socket table is read. */
export const DCS_ENDPOINT_SAMPLE_MS = 500;

/** `ss` arguments: established TCP connections to the etcd client port, with TCP info, no header. */
const SS_ARGS = ["-tinH", "state", "established", `( dport = :${ETCD_CLIENT_PORT} )`];

export interface EtcdConnection {
  /** Remote address (IPv4, or IPv6 as printed). */
  remote: string;
  /** ms since data was last sent / received on it (0 when ss omits the field: just now). */
  lastSndMs: number;
  lastRcvMs: number;
}

/**
 * Parses `ss -tinH state established ...` output: a line per socket
 * (`Recv-Q Send-Q Local:Port Peer:Port`) followed by an indented line of TCP info
 * (`... lastsnd:75044 lastrcv:75032 lastack:13268 ...`).
 */
export function parseSs(text: string): EtcdConnection[] {
  const out: EtcdConnection[] = [];
  let cur: EtcdConnection | undefined;
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    if (!/^\s/.test(line)) {
      const f = line.trim().split(/\s+/);
      const peer = f[f.length - 1];
      const m = /^\[?(.*?)\]?:(\d+)$/.exec(peer);
      cur = m ? { remote: m[1].replace(/^::ffff:/i, ""), lastSndMs: 0, lastRcvMs: 0 } : undefined;
      if (cur) out.push(cur);
    } else if (cur) {
      const snd = /\blastsnd:(\d+)/.exec(line);
      const rcv = /\blastrcv:(\d+)/.exec(line);
      if (snd) cur.lastSndMs = Number(snd[1]);
      if (rcv) cur.lastRcvMs = Number(rcv[1]);
    }
  }
  return out;
}

/** Connections grouped by etcd member: members (sorted), idle time per member, the most recently active one. */
export function endpointsOf(conns: EtcdConnection[], nameOf: (ip: string) => string): Pick<DcsEndpointSample, "etcd" | "current" | "idleMs"> {
  const idleMs: Record<string, number> = {};
  for (const c of conns) {
    const name = nameOf(c.remote);
    const idle = Math.min(c.lastSndMs, c.lastRcvMs);
    idleMs[name] = Math.min(idleMs[name] ?? Infinity, idle);
  }
  const etcd = Object.keys(idleMs).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const current = etcd.reduce<string | undefined>((best, m) => (best === undefined || idleMs[m] < idleMs[best] ? m : best), undefined);
  return { etcd, ...(current !== undefined ? { current, idleMs } : {}) };
}

/**
 * Which etcd member each Patroni node talks to: the established TCP connections of its
 * container to port 2379 with their last send/receive times (`ss -ti`), remote addresses
 * mapped to etcd node names. When the engine runs on this machine and the harness may enter
 * network namespaces, `ss` runs on the host inside the container's network namespace
 * (`nsenter -t <pid of the container's init> -n`: a few ms, no `docker exec`); otherwise
 * `ss` runs in the container through `lab.exec`. Never changes the cluster.
 */
export class DcsEndpointSampler {
  /** Host pid of the container's init (tini), when the host can enter its namespace. */
  private hostPid?: number;
  private mode: "unknown" | "nsenter" | "exec" = "unknown";
  private resolvedAt = -Infinity;

  constructor(
    private readonly lab: Lab,
    readonly node: string,
  ) {}

  private async resolvePid(): Promise<number | undefined> {
    this.resolvedAt = performance.now();
    const procs = await this.lab.pids(this.node, /^tini$/).catch(() => []);
    return procs.find((p) => p.hostPid > 0)?.hostPid;
  }

  private async viaNsenter(pid: number): Promise<string> {
    // The pid must still be this container's (it changes when the container restarts).
    const cgroup = await readFile(`/proc/${pid}/cgroup`, "utf8");
    if (!cgroup.includes(this.lab.node(this.node).containerId)) throw new Error(`pid ${pid} is no longer ${this.node}'s`);
    const r = await execFileP("nsenter", ["-t", String(pid), "-n", "ss", ...SS_ARGS], { timeout: 3000 });
    return r.stdout;
  }

  private async viaExec(): Promise<string> {
    return (await this.lab.exec(this.node, ["ss", ...SS_ARGS], { timeoutSec: 5 })).stdout;
  }

  private async readTable(): Promise<string> {
    if (this.mode === "exec") return this.viaExec();
    if (this.hostPid === undefined && performance.now() - this.resolvedAt > 5000) this.hostPid = await this.resolvePid();
    if (this.hostPid !== undefined) {
      try {
        const out = await this.viaNsenter(this.hostPid);
        this.mode = "nsenter";
        return out;
      } catch {
        this.hostPid = undefined;
        // Never worked: this harness cannot enter namespaces (not root, remote engine).
        if (this.mode === "unknown") this.mode = "exec";
      }
    } else if (this.mode === "unknown") this.mode = "exec";
    return this.viaExec();
  }

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    const s: DcsEndpointSample = { kind: "dcs-endpoint", t, node: this.node, etcd: [] };
    try {
      const conns = parseSs(await this.readTable());
      const byIp = new Map(this.lab.etcdNodes().map((n) => [n.ip, n.name]));
      Object.assign(s, endpointsOf(conns, (ip) => byIp.get(ip) ?? ip));
    } catch (e) {
      s.error = errorText(e).slice(0, 200);
    }
    history.append(s);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Time stuck on an isolated etcd member                                                      */

export interface NodeEndpointStay {
  node: string;
  /** Its current member was the isolated one when the fault began (first sample at or after injection). */
  onAtInject: boolean;
  /** Time the isolated member was its current member during the fault, ms (sum of sample intervals). */
  onMs: number;
  /** Longest continuous stretch on the isolated member during the fault, ms. */
  longestMs: number;
  /** Still on the isolated member at the heal (last sample before it). */
  onAtHeal: boolean;
  /** When it first moved from the isolated member to another during the fault, and to which. */
  leftAt?: number;
  movedTo?: string;
  /** Current members during the fault, in order of first use. */
  used: string[];
  samples: number;
}

export interface DcsEndpointStays {
  /** The fault step id. */
  id: string;
  member: string;
  from: number;
  /** Heal time, or the end of the record when no heal was recorded. */
  to: number;
  healed: boolean;
  nodes: NodeEndpointStay[];
}

/** A sample stands for at most this long (a gap in sampling is not counted as time on a member). */
const MAX_SAMPLE_SPAN_MS = 2000;

/**
 * Per `etcd-dns-break` fault in a recorded history: for each Patroni node, how long its current
 * DCS endpoint (DcsEndpointSample.current) was the isolated member while the fault was active.
 * Each sample stands for the interval until the node's next sample (at most 2 s). Pure function
 * of the history.
 */
export function dcsEndpointStays(events: readonly HistoryEvent[], faultType = "etcd-dns-break"): DcsEndpointStays[] {
  const faults = events.filter((e): e is FaultEvent => e.kind === "fault" && e.fault === faultType);
  const samples = events.filter((e): e is DcsEndpointSample => e.kind === "dcs-endpoint");
  const end = events.reduce((m, e) => Math.max(m, e.t), 0);
  const nodes = [...new Set(samples.map((s) => s.node))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const out: DcsEndpointStays[] = [];
  for (const inj of faults.filter((f) => f.phase === "inject" && f.ok)) {
    const heal = faults.find((f) => f.phase === "heal" && f.id === inj.id && f.t >= inj.t);
    const member = inj.targets[0];
    const from = inj.t;
    const to = heal?.t ?? end;
    const stays = nodes.map((node): NodeEndpointStay => {
      const inside = samples.filter((s) => s.node === node && !s.error && s.t >= from && s.t <= to).sort((a, b) => a.t - b.t);
      const stay: NodeEndpointStay = { node, onAtInject: inside[0]?.current === member, onMs: 0, longestMs: 0, onAtHeal: false, used: [], samples: inside.length };
      let run = 0;
      let wasOn = stay.onAtInject;
      inside.forEach((s, i) => {
        if (s.current && !stay.used.includes(s.current)) stay.used.push(s.current);
        const span = Math.min((inside[i + 1]?.t ?? to) - s.t, MAX_SAMPLE_SPAN_MS);
        if (s.current === member) {
          stay.onMs += span;
          run += span;
          stay.longestMs = Math.max(stay.longestMs, run);
          wasOn = true;
        } else {
          run = 0;
          if (s.current) {
            if (wasOn && stay.leftAt === undefined) {
              stay.leftAt = s.t;
              stay.movedTo = s.current;
            }
            wasOn = false;
          }
        }
      });
      stay.onAtHeal = !!heal && inside[inside.length - 1]?.current === member;
      return stay;
    });
    out.push({ id: inj.id, member, from, to, healed: !!heal, nodes: stays });
  }
  return out;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const at = (t: number) => `+${(t / 1000).toFixed(1)}s`;

/** One line per fault for people: "etcd-dns-break cut on e3 (+12.0s → +72.0s, 60.0 s): pg1 on e3 60.0 s ...". */
export function describeStays(s: DcsEndpointStays): string {
  const parts = s.nodes.map((n) => {
    if (!n.samples) return `${n.node}: no samples`;
    if (!n.onMs && !n.onAtInject) return `${n.node} not on ${s.member} (used ${n.used.join(", ") || "none"})`;
    let txt = `${n.node} on ${s.member} for ${sec(n.onMs)} (longest stretch ${sec(n.longestMs)})`;
    if (n.leftAt !== undefined) txt += `, moved to ${n.movedTo} at ${at(n.leftAt)} (${sec(n.leftAt - s.from)} after the fault)`;
    if (n.onAtHeal) txt += `, still on ${s.member} at the heal`;
    return txt;
  });
  return `DCS endpoints during etcd-dns-break '${s.id}' on ${s.member} (${at(s.from)} → ${at(s.to)}${s.healed ? "" : " (not healed)"}, ${sec(s.to - s.from)}): ${parts.join("; ")}.`;
}

/**
 * What the runner adds to a report about DCS endpoints: one note per etcd-dns-break fault with
 * the figures, and a finding when a Patroni node stayed on the isolated member longer than
 * `thresholdMs` (the runner passes retry_timeout + loop_wait: a request that fails makes
 * Patroni's etcd3 client try another member, and a loop runs at least every loop_wait).
 */
export function dcsEndpointReport(events: readonly HistoryEvent[], thresholdMs: number): { notes: string[]; findings: string[] } {
  const notes: string[] = [];
  const findings: string[] = [];
  for (const s of dcsEndpointStays(events)) {
    const text = describeStays(s);
    notes.push(text);
    const stuck = s.nodes.filter((n) => n.longestMs > thresholdMs);
    if (stuck.length) {
      findings.push(
        `${stuck.map((n) => `${n.node} stayed on the isolated etcd member ${s.member} for ${sec(n.longestMs)}`).join(", ")} ` +
          `(longer than retry_timeout + loop_wait = ${sec(thresholdMs)}), although the other members had quorum. ${text}`,
      );
    }
  }
  return { notes, findings };
}
