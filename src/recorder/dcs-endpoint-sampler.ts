import type { History } from "../history/history.js";
import type { DcsEndpointSample } from "../history/events.js";
import type { ExecSession, Lab } from "../lab/lab-api.js";
import { ETCD_CLIENT_PORT } from "../lab/etcd-command.js";
import { errorText } from "../util/errors.js";
import { withTimeout } from "../util/time.js";
import { TCP_CONNECTIONS_PY } from "./tcp-connections-program.js";
import { DcsEndpointActivity, type EtcdConnection, type TcpCounters } from "./dcs-endpoint-activity.js";

export type { EtcdConnection } from "./dcs-endpoint-activity.js";

/** How often each Patroni container's socket table is read. */
export const DCS_ENDPOINT_SAMPLE_MS = 500;

/** The program's counter names (struct tcp_info's, without tcpi_) and ours. */
const COUNTERS: Record<string, keyof TcpCounters> = {
  retransmits: "retransmits",
  backoff: "backoff",
  unacked: "unacked",
  retrans: "retrans",
  total_retrans: "totalRetrans",
  bytes_acked: "bytesAcked",
  bytes_received: "bytesReceived",
  notsent_bytes: "notsentBytes",
  data_segs_out: "dataSegsOut",
  bytes_sent: "bytesSent",
  bytes_retrans: "bytesRetrans",
};

/**
 * Parses one answer of the connections program (tcp-connections-program.ts):
 * `{"conns": [[remote, port, msSinceSend, msSinceReceive, localPort, {counters}], ...]}` (the
 * last two may be missing), or `{"error": "..."}` (thrown).
 */
export function parseConnections(line: string): EtcdConnection[] {
  const a = JSON.parse(line) as { conns?: [string, number, number, number, number?, Record<string, unknown>?][]; error?: string };
  if (a.error !== undefined || !Array.isArray(a.conns)) throw new Error(`socket table: ${a.error ?? line.slice(0, 100)}`);
  return a.conns.map(([remote, port, lastSndMs, lastRcvMs, localPort, counters]) => {
    const c: EtcdConnection = { remote: remote.replace(/^::ffff:/i, ""), port, lastSndMs, lastRcvMs };
    if (typeof localPort === "number") c.localPort = localPort;
    if (counters && typeof counters === "object") {
      const tcp: TcpCounters = {};
      for (const [k, v] of Object.entries(counters)) if (COUNTERS[k] && typeof v === "number" && Number.isFinite(v)) tcp[COUNTERS[k]] = v;
      if (Object.keys(tcp).length) c.tcp = tcp;
    }
    return c;
  });
}

/**
 * One answer's connections grouped by etcd member, on their own (no previous sample): members
 * (sorted), idle time per member, the most recently active one (dcs-endpoint-activity.ts).
 */
export function endpointsOf(conns: EtcdConnection[], nameOf: (c: EtcdConnection) => string, t = 0): Pick<DcsEndpointSample, "etcd" | "current" | "idleMs" | "conns"> {
  return new DcsEndpointActivity().observe(t, conns, nameOf);
}

/** How long after its program ended or could not start a node's program is started again. */
const RESTART_AFTER_MS = 2000;
/** An answer slower than this counts as failed: the program is closed and started again. */
const ANSWER_TIMEOUT_MS = 3000;
/**
 * How long a node's samples may keep failing after what stopped its program went away (a
 * paused container unpaused, for instance): the answer that timed out, the wait before the
 * restart, and the restart's own deadline.
 */
export const DCS_ENDPOINT_RECOVERY_MS = ANSWER_TIMEOUT_MS + RESTART_AFTER_MS + ANSWER_TIMEOUT_MS;

/**
 * Which etcd member each Patroni node talks to: the established TCP connections of its
 * container to the etcd client port with the time since each last sent and received data and
 * the tcp_info counters that tell Patroni's traffic from TCP's own retransmissions (the
 * heuristic naming the current member is dcs-endpoint-activity.ts; it remembers each connection
 * from one sample to the next), remote addresses mapped to etcd node names. Behind the DCS proxy the connections reach the
 * proxy, on a port of its own for each (node, member): the port names the member. A small
 * program (tcp-connections-program.ts) runs in the container for the whole run and answers each
 * sample, on a local or a remote engine alike; it is started again when it ends (the container
 * stopped, for instance). Never changes the cluster.
 */
export class DcsEndpointSampler {
  private session?: ExecSession;
  private startedAt = -Infinity;
  /** The connections as of the previous samples: what TCP did on its own is not Patroni's activity. */
  private readonly activity = new DcsEndpointActivity();

  constructor(
    private readonly lab: Lab,
    readonly node: string,
  ) {}

  private async connections(): Promise<EtcdConnection[]> {
    if (!this.session) {
      const since = performance.now() - this.startedAt;
      if (since < RESTART_AFTER_MS) throw new Error(`socket table program not running (starting it again in ${Math.ceil((RESTART_AFTER_MS - since) / 1000)} s)`);
      this.startedAt = performance.now();
      const ports = [...(this.proxyPorts()?.keys() ?? [ETCD_CLIENT_PORT])];
      this.session = await this.startProgram(ports);
    }
    let answer: string;
    try {
      answer = await this.session.ask("", ANSWER_TIMEOUT_MS);
    } catch (e) {
      this.close();
      throw e;
    }
    return parseConnections(answer);
  }

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    const s: DcsEndpointSample = { kind: "dcs-endpoint", t, node: this.node, etcd: [] };
    try {
      const conns = await this.connections();
      Object.assign(s, this.activity.observe(t, conns, this.namer()));
    } catch (e) {
      s.error = errorText(e).slice(0, 200);
    }
    history.append(s);
  }

  /**
   * Starts the program, waiting at most ANSWER_TIMEOUT_MS for the engine: a start that never
   * returns would hold this sampler's loop, and with it the recorder's stop at the run's end.
   * A start that returns too late is closed at once.
   */
  private startProgram(ports: number[]): Promise<ExecSession> {
    const started = this.lab.execSession(this.node, ["python3", "-c", TCP_CONNECTIONS_PY, ports.join(",")]);
    return withTimeout(started, ANSWER_TIMEOUT_MS, `${this.node}: the socket table program did not start`).catch((e: unknown) => {
      started.then((late) => late.close(), () => {});
      throw e;
    });
  }

  /** Behind the DCS proxy: the proxy's port for this node and each member. */
  private proxyPorts(): Map<number, string> | undefined {
    const proxy = this.lab.dcsProxy;
    return proxy && new Map(this.lab.etcdNodes().map((m) => [Number(proxy.address(this.node, m.name).split(":").pop()), m.name]));
  }

  /** A connection's etcd member: by the proxy's port, or by the member's address. */
  private namer(): (c: EtcdConnection) => string {
    const ports = this.proxyPorts();
    if (ports) return (c) => ports.get(c.port) ?? `${c.remote}:${c.port}`;
    const byIp = new Map(this.lab.etcdNodes().map((n) => [n.ip, n.name]));
    return (c) => byIp.get(c.remote) ?? c.remote;
  }

  close(): void {
    this.session?.close();
    this.session = undefined;
  }
}
