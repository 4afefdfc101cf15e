import { readFile } from "node:fs/promises";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { History } from "../history/history.js";
import type { DcsEndpointSample } from "../history/events.js";
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
