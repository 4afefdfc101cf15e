import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import type { ExecSession, Lab } from "../lab/lab-api.js";
import { evaluateCondition, type ConditionContext } from "../conditions/registry.js";
import { DcsEndpointSampler, parseConnections } from "./dcs-endpoint-sampler.js";
import { DcsEndpointActivity } from "./dcs-endpoint-activity.js";

const names: Record<string, string> = { "192.168.48.2": "e1", "192.168.48.3": "e2", "192.168.48.4": "e3" };
const nameOf = (c: { remote: string }) => names[c.remote] ?? c.remote;

/**
 * One TCP connection as the kernel's tcp_info shows it, driven by what Patroni writes and what
 * the network lets through: enough of TCP to produce the connections program's answers.
 */
class Conn {
  sent = 0; // bytes_sent (retransmissions included)
  retransBytes = 0;
  acked = 0;
  received = 0;
  notsent = 0;
  totalRetrans = 0;
  retransmits = 0;
  lastSnd = -Infinity;
  lastRcv = -Infinity;
  /** Bytes sent and not acknowledged, and when the next retransmission is due (RTO backoff). */
  inFlight = 0;
  private rtoAt = Infinity;
  private rto = 200;
  cut = false;

  constructor(
    readonly remote: string,
    readonly lport: number,
  ) {}

  /** Patroni writes a request at `t`; its answer (`reply` bytes) comes back 10 ms later unless cut. */
  write(t: number, bytes: number, reply = 0): void {
    this.advance(t);
    if (this.inFlight > 0) {
      this.notsent += bytes; // the congestion window collapsed: queued behind the outstanding data
      return;
    }
    this.sent += bytes;
    this.inFlight = bytes;
    this.lastSnd = t;
    if (this.cut) this.rtoAt = t + this.rto;
    else this.deliver(t + 10, reply);
  }

  private deliver(t: number, reply: number) {
    this.acked += this.inFlight;
    this.inFlight = 0;
    this.retransmits = 0;
    this.rto = 200;
    this.rtoAt = Infinity;
    if (reply) {
      this.received += reply;
      this.lastRcv = t;
    }
  }

  /** TCP on its own until `t`: retransmissions with exponential backoff while cut. */
  advance(t: number): void {
    while (this.cut && this.rtoAt <= t) {
      const at = this.rtoAt;
      this.sent += this.inFlight;
      this.retransBytes += this.inFlight;
      this.totalRetrans++;
      this.retransmits++;
      this.lastSnd = at;
      this.rto *= 2;
      this.rtoAt = at + this.rto;
    }
  }

  /** The path heals at `t`: the next retransmission gets through, its answer and the queued request's too. */
  heal(t: number, replies: number): void {
    this.advance(t);
    this.cut = false;
    if (this.inFlight === 0) return;
    // Retransmitted at t, acknowledged and answered; then the queued data goes out and is answered.
    this.sent += this.inFlight;
    this.retransBytes += this.inFlight;
    this.totalRetrans++;
    this.lastSnd = t;
    this.deliver(t + 10, replies);
    if (this.notsent) {
      this.sent += this.notsent;
      this.acked += this.notsent;
      this.notsent = 0;
      this.lastSnd = t + 20;
      this.received += replies;
      this.lastRcv = t + 30;
    }
  }

  /** The program's row for this connection at `t`. */
  row(t: number): unknown[] {
    this.advance(t);
    const ms = (x: number) => Math.max(0, Math.round(t - x));
    return [
      this.remote,
      2379,
      ms(this.lastSnd),
      ms(this.lastRcv),
      this.lport,
      {
        retransmits: this.retransmits,
        backoff: this.retransmits,
        unacked: this.inFlight ? 1 : 0,
        retrans: this.retransmits ? 1 : 0,
        total_retrans: this.totalRetrans,
        bytes_acked: this.acked,
        bytes_received: this.received,
        notsent_bytes: this.notsent,
        data_segs_out: 0,
        bytes_sent: this.sent,
        bytes_retrans: this.retransBytes,
      },
    ];
  }
}

/**
 * pg2 in etcd-dns-break-retry-timeout-30: on e1 until its traffic to e1 and e2 is dropped at
 * 0 s; the request it sent then hangs and TCP retransmits it; Patroni queues another request on
 * the same connection at 2 s, gives up on e1 and talks to e3 from 10 s on (a request every 3 s,
 * loop_wait); the partition heals at 30 s, when TCP delivers the retransmitted and the queued
 * requests and their answers arrive on the e1 connection. Answers of the connections program
 * every 500 ms from -2 s to 40 s, as `[t, line]`.
 */
function healCase(opts: { backToE1At?: number } = {}): [number, string][] {
  const e1 = new Conn("192.168.48.2", 40_001);
  const e3 = new Conn("192.168.48.4", 40_003);
  const writes: [number, () => void][] = [];
  for (let t = -3000; t < 0; t += 1000) writes.push([t, () => e1.write(t, 300, 800)]);
  writes.push([0, () => ((e1.cut = true), e1.write(0, 300, 800))]);
  writes.push([2000, () => e1.write(2000, 200, 800)]);
  for (let t = 10_000; t < 40_000; t += 3000) writes.push([t, () => e3.write(t, 300, 800)]);
  writes.push([30_000, () => e1.heal(30_000, 800)]);
  if (opts.backToE1At !== undefined) writes.push([opts.backToE1At, () => e1.write(opts.backToE1At!, 300, 800)]);
  writes.sort((a, b) => a[0] - b[0]);
  const out: [number, string][] = [];
  let next = 0;
  for (let t = -2000; t < 40_000; t += 500) {
    while (next < writes.length && writes[next][0] <= t) writes[next++][1]();
    const conns = t < 10_000 ? [e1] : [e1, e3];
    out.push([t, JSON.stringify({ conns: conns.map((c) => c.row(t)) })]);
  }
  return out;
}

/** Records pg2's samples through the real sampler, its program answering these lines in turn. */
async function record(answers: [number, string][]): Promise<History> {
  const lines = answers.map(([, l]) => l);
  const lab = {
    etcdNodes: () => Object.entries(names).map(([ip, name]) => ({ name, ip })),
    execSession: async (): Promise<ExecSession> => ({ ask: async () => lines.shift()!, close: () => {} }),
  } as unknown as Lab;
  const h = new History();
  const sampler = new DcsEndpointSampler(lab, "pg2");
  for (const [t] of answers) await sampler.sample(() => t, h);
  return h;
}

const onE3 = (h: History, since: number, now: number) =>
  evaluateCondition({ type: "dcs_endpoint", node: { type: "node", text: "pg2", name: "pg2" }, is: { type: "node", text: "e3", name: "e3" } } as never, {
    history: h,
    since,
    now,
    resolve: (r) => (r as unknown as { name: string }).name,
    stepStart: () => undefined,
    patroniNodes: ["pg1", "pg2", "pg3"],
    etcdNodes: ["e1", "e2", "e3"],
  } satisfies ConditionContext);

describe("the current DCS endpoint is not a connection only TCP was using", () => {
  it("at the heal, the retransmitted requests delivered on the old e1 connection do not make e1 current", async () => {
    const h = await record(healCase());
    const current = (from: number, to: number) => [...new Set(h.of("dcs-endpoint").filter((s) => s.t >= from && s.t < to).map((s) => s.current))];
    expect(current(-2000, 10_000)).toEqual(["e1"]); // on e1, then stuck on it: Patroni's last write went there
    expect(current(10_000, 40_000)).toEqual(["e3"]); // through the heal at 30 s
    // The heal as recorded: e1's connection answered 20-30 ms ago, but it is marked replaying.
    const atHeal = h.of("dcs-endpoint").find((s) => s.t === 30_500)!;
    const e1 = atHeal.conns!.find((c) => c.member === "e1")!;
    expect(e1).toMatchObject({ lport: 40_001, sndMs: 480, rcvMs: 470, replaying: true });
    expect(e1.bytesSent! - e1.bytesRetrans!).toBe(1400); // three requests before the cut, the one at the cut, the queued one
    // e1: since Patroni queued its last request there (seen at the 2.0 s sample, so after 1.5 s).
    expect(atHeal.idleMs).toEqual({ e1: 29_000, e3: 2_490 });
    // The scenario's `for: 5s` expectation after the heal holds.
    for (let now = 30_000; now < 40_000; now += 500) expect(onE3(h, 29_000, now).ok, `at ${now}`).toBe(true);
  });

  it("a connection Patroni writes to again after the heal counts again", async () => {
    const h = await record(healCase({ backToE1At: 33_200 }));
    const s = h.of("dcs-endpoint");
    expect(s.find((x) => x.t === 33_000)!.current).toBe("e3");
    expect(s.find((x) => x.t === 33_500)!.current).toBe("e1");
    expect(s.find((x) => x.t === 33_500)!.conns!.find((c) => c.member === "e1")!.replaying).toBeUndefined();
  });

  it("a node stuck on a member whose traffic is dropped stays on it until it writes elsewhere", () => {
    const a = new DcsEndpointActivity();
    const row = (t: number, snd: number, rcv: number, k: Record<string, number>, remote = "192.168.48.2", lport = 40_001) =>
      [remote, 2379, snd, rcv, lport, { retransmits: 0, retrans: 0, total_retrans: 0, bytes_sent: 0, bytes_retrans: 0, notsent_bytes: 0, ...k }] as const;
    const at = (t: number, ...rows: (readonly unknown[])[]) => a.observe(t, parseConnections(JSON.stringify({ conns: rows })), nameOf);
    // e1 carries Patroni's requests; an idle pooled connection to e2.
    const idle = row(0, 60_000, 60_000, { bytes_sent: 900 }, "192.168.48.3", 40_002);
    expect(at(0, row(0, 100, 90, { bytes_sent: 3000 }), idle).current).toBe("e1");
    // Dropped: e1 retransmits (its last send refreshed by the retransmission), nothing else happens.
    expect(at(500, row(500, 100, 590, { bytes_sent: 3300, retrans: 1, retransmits: 1, total_retrans: 1, bytes_retrans: 300 }), idle).current).toBe("e1");
    const r = at(1000, row(1000, 20, 1090, { bytes_sent: 3600, retrans: 1, retransmits: 2, total_retrans: 2, bytes_retrans: 600 }), idle);
    expect(r).toMatchObject({ current: "e1", idleMs: { e1: 1100, e2: 60_000 } }); // since its last write, before the drop
  });

  it("without counters (an old answer or kernel) connections count by their last send/receive, as before", () => {
    const a = new DcsEndpointActivity();
    const conns = parseConnections('{"conns": [["192.168.48.2", 2379, 20, 10], ["192.168.48.4", 2379, 900, 900]]}');
    expect(a.observe(0, conns, nameOf)).toEqual({ etcd: ["e1", "e3"], current: "e1", idleMs: { e1: 10, e3: 900 } });
  });

  it("parses the program's rows with the local port and counters, ignoring what it does not know", () => {
    const [c] = parseConnections('{"conns": [["::ffff:192.168.48.2", 2379, 5, 6, 40001, {"retrans": 1, "total_retrans": 7, "bytes_sent": 12, "future_field": 3, "bytes_acked": null}]]}');
    expect(c).toEqual({ remote: "192.168.48.2", port: 2379, lastSndMs: 5, lastRcvMs: 6, localPort: 40001, tcp: { retrans: 1, totalRetrans: 7, bytesSent: 12 } });
  });
});
