/**
 * Which etcd member a Patroni node is using, from its TCP connections to etcd, sample after
 * sample (the heuristic behind DcsEndpointSample.current).
 *
 * Patroni sends its requests one at a time to its current member and its watch stream runs to
 * that same member, while its HTTP pool may keep idle connections to members it no longer uses:
 * so the current member is the one whose connection carried data most recently (tcp_info's
 * last_data_sent / last_data_recv). That alone is fooled by TCP itself: a connection whose
 * packets were dropped (a partition) retransmits what it holds on its own, every retransmission
 * stamping last_data_sent, and when the path heals TCP delivers the retransmitted (and queued)
 * requests, their answers arrive, and the connection looks like the most active one, although
 * Patroni gave up on it long ago (etcd-dns-break-retry-timeout-30: every node steered onto e3
 * by dropping its traffic to e1 and e2; at the heal, pg2 and pg3's old connections to e1 "became
 * current" for a moment).
 *
 * ## The rule
 *
 * Per connection (remote end and local port), from the tcp_info counters of consecutive samples:
 *
 * - **written**: the bytes the application has handed to TCP, `bytes_sent - bytes_retrans +
 *   notsent_bytes` (data sent for the first time, plus data queued and not sent yet). It grows
 *   only when Patroni writes a request; never when TCP retransmits, nor when TCP sends at a heal
 *   what was queued before (that moves bytes from notsent to sent). Kernels before 4.19 lack
 *   bytes_sent / bytes_retrans: then `data_segs_out - total_retrans` (segments sent for the first
 *   time, 4.6+), which also grows when queued data goes out.
 * - **retransmitting**: at this sample the connection has retransmitted data outstanding
 *   (`retrans > 0`) or is in retransmission backoff (`retransmits > 0`), or its `total_retrans`
 *   grew since the previous sample.
 * - A connection is **replaying** from a sample where it is retransmitting until a sample where
 *   its `written` grew (Patroni wrote to it again). While replaying, whatever it sends or receives
 *   may be TCP delivering the past (retransmitted requests, their late answers), so its last
 *   send/receive times do not count as activity: its activity is the last time Patroni wrote to
 *   it (when seen; the sample at which `written` grew, or its last send if later). A connection
 *   replaying since before its first sample has no known write: it does not compete for
 *   `current` (unless no connection of the node has known activity: then every connection
 *   counts as before, rather than naming none).
 * - Any other connection's activity is its most recent send or receive, as before.
 *
 * `current` is the member whose connection has the most recent activity; `idleMs` the time since
 * it per member (members with no counted connection are left out). Without the counters (an old
 * kernel, or an answer without them), connections count as before.
 */
import type { DcsEndpointConn, DcsEndpointSample } from "../history/events.js";
import { naturalCompare } from "../util/natural-order.js";

/** tcp_info counters the connections program reports (each only when the kernel's struct tcp_info has it). */
export interface TcpCounters {
  retransmits?: number;
  backoff?: number;
  unacked?: number;
  retrans?: number;
  totalRetrans?: number;
  bytesAcked?: number;
  bytesReceived?: number;
  notsentBytes?: number;
  dataSegsOut?: number;
  bytesSent?: number;
  bytesRetrans?: number;
}

export interface EtcdConnection {
  /** Remote address (IPv4, or IPv6 as printed) and port. */
  remote: string;
  port: number;
  /** ms since data was last sent / received on it (tcp_info's last_data_sent / last_data_recv). */
  lastSndMs: number;
  lastRcvMs: number;
  /** Local port: with the remote end it names the connection from one sample to the next. */
  localPort?: number;
  tcp?: TcpCounters;
}

interface Memory {
  /** Sample time it was last seen at. */
  t: number;
  written?: { bytes: boolean; n: number };
  totalRetrans?: number;
  replaying: boolean;
  /** Last time (history axis) Patroni was seen writing to it. */
  wroteAt?: number;
}

/** What the application has written to the connection, in bytes (4.19+) or else first-time data segments (4.6+). */
function writtenOf(c: TcpCounters): Memory["written"] {
  if (c.bytesSent !== undefined && c.bytesRetrans !== undefined) return { bytes: true, n: c.bytesSent - c.bytesRetrans + (c.notsentBytes ?? 0) };
  if (c.dataSegsOut !== undefined && c.totalRetrans !== undefined) return { bytes: false, n: c.dataSegsOut - c.totalRetrans };
  return undefined;
}

/** One node's connections, sample after sample: applies the rule above. */
export class DcsEndpointActivity {
  private memory = new Map<string, Memory>();

  /**
   * The sample's etcd, current and idleMs (and conns, when the connections carry counters) for
   * connections seen at `t` (history axis ms). Remembers them for the next sample; a connection
   * not seen is forgotten (closed).
   */
  observe(t: number, conns: readonly EtcdConnection[], nameOf: (c: EtcdConnection) => string): Pick<DcsEndpointSample, "etcd" | "current" | "idleMs" | "conns"> {
    const next = new Map<string, Memory>();
    const rows: { member: string; c: EtcdConnection; rawIdle: number; idle?: number; replaying: boolean }[] = [];
    for (const c of conns) {
      const member = nameOf(c);
      const rawIdle = Math.min(c.lastSndMs, c.lastRcvMs);
      const written = c.tcp && c.localPort !== undefined ? writtenOf(c.tcp) : undefined;
      if (!c.tcp || !written) {
        rows.push({ member, c, rawIdle, idle: rawIdle, replaying: false });
        continue;
      }
      const key = `${c.remote}|${c.port}|${c.localPort}`;
      const tcp = c.tcp;
      let prev = this.memory.get(key);
      // Counters that went back: another connection on the same ports (the old one closed unseen).
      if (prev && ((prev.written && prev.written.bytes === written.bytes && written.n < prev.written.n) || (tcp.totalRetrans ?? Infinity) < (prev.totalRetrans ?? -Infinity)))
        prev = undefined;
      const wrote = !!prev?.written && prev.written.bytes === written.bytes && written.n > prev.written.n;
      const retransmitting =
        (tcp.retrans ?? 0) > 0 || (tcp.retransmits ?? 0) > 0 || (prev?.totalRetrans !== undefined && tcp.totalRetrans !== undefined && tcp.totalRetrans > prev.totalRetrans);
      const replaying = retransmitting || (!!prev?.replaying && !wrote);
      let wroteAt = prev?.wroteAt;
      // Written since the previous sample: at the latest now, not before that sample; its last
      // send when that falls in between (a later retransmission only moves it closer to now).
      if (wrote && prev) wroteAt = Math.min(t, Math.max(prev.t, t - c.lastSndMs));
      // First seen and not retransmitting: its last send was new data, as far as we can tell.
      else if (!prev && !replaying) wroteAt = t - c.lastSndMs;
      const m: Memory = { t, written, replaying, ...(tcp.totalRetrans !== undefined ? { totalRetrans: tcp.totalRetrans } : {}), ...(wroteAt !== undefined ? { wroteAt } : {}) };
      next.set(key, m);
      rows.push({ member, c, rawIdle, idle: replaying ? (wroteAt !== undefined ? Math.max(0, t - wroteAt) : undefined) : rawIdle, replaying });
    }
    this.memory = next;

    // No connection with known activity: every connection counts as before, rather than none.
    const counted = rows.some((r) => r.idle !== undefined) ? rows : rows.map((r) => ({ ...r, idle: r.rawIdle }));
    const idleMs: Record<string, number> = {};
    const members = new Set<string>();
    for (const r of counted) {
      members.add(r.member);
      if (r.idle !== undefined) idleMs[r.member] = Math.min(idleMs[r.member] ?? Infinity, r.idle);
    }
    const etcd = [...members].sort(naturalCompare);
    const current = etcd.reduce<string | undefined>((best, m) => (idleMs[m] === undefined ? best : best === undefined || idleMs[m] < idleMs[best] ? m : best), undefined);
    const withCounters = rows.filter((r) => r.c.tcp);
    return {
      etcd,
      ...(current !== undefined ? { current, idleMs } : {}),
      ...(withCounters.length ? { conns: withCounters.map((r) => connRecord(r.member, r.c, r.replaying)) } : {}),
    };
  }
}

/** A connection as the sample records it: its figures and counters (gauges left out when 0). */
function connRecord(member: string, c: EtcdConnection, replaying: boolean): DcsEndpointConn {
  const k = c.tcp ?? {};
  const gauge = (v: number | undefined) => (v ? v : undefined);
  const rec: DcsEndpointConn = {
    member,
    ...(c.localPort !== undefined ? { lport: c.localPort } : {}),
    sndMs: c.lastSndMs,
    rcvMs: c.lastRcvMs,
    retransmits: gauge(k.retransmits),
    retrans: gauge(k.retrans),
    unacked: gauge(k.unacked),
    notsent: gauge(k.notsentBytes),
    totalRetrans: k.totalRetrans,
    bytesSent: k.bytesSent,
    bytesRetrans: k.bytesRetrans,
    bytesAcked: k.bytesAcked,
    bytesReceived: k.bytesReceived,
    dataSegsOut: k.bytesSent === undefined ? k.dataSegsOut : undefined,
    ...(replaying ? { replaying: true as const } : {}),
  };
  for (const key of Object.keys(rec) as (keyof DcsEndpointConn)[]) if (rec[key] === undefined) delete rec[key];
  return rec;
}
