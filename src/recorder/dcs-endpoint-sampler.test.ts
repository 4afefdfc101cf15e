import { describe, expect, it, vi } from "vitest";
import type { DcsEndpointSample, HistoryEvent } from "../history/events.js";
import { DcsEndpointSampler, endpointsOf, parseConnections } from "./dcs-endpoint-sampler.js";
import { History } from "../history/history.js";
import type { ExecSession, Lab } from "../lab/lab-api.js";
import { dcsEndpointReport, dcsEndpointStays } from "../analysis/dcs-endpoint.js";

// One answer of the connections program in a Patroni container: an idle pooled connection to
// e2, the request connection and the watch stream to e1 (the latter through an IPv6 socket).
const ANSWER = '{"conns": [["192.168.48.3", 2379, 75044, 75032], ["192.168.48.2", 2379, 3248, 3248], ["::ffff:192.168.48.2", 2379, 74928, 1304]]}';
const names: Record<string, string> = { "192.168.48.2": "e1", "192.168.48.3": "e2", "192.168.48.4": "e3" };

describe("dcs endpoint sampler", () => {
  it("parses the connections program's answers", () => {
    expect(parseConnections(ANSWER)).toEqual([
      { remote: "192.168.48.3", port: 2379, lastSndMs: 75044, lastRcvMs: 75032 },
      { remote: "192.168.48.2", port: 2379, lastSndMs: 3248, lastRcvMs: 3248 },
      { remote: "192.168.48.2", port: 2379, lastSndMs: 74928, lastRcvMs: 1304 },
    ]);
    expect(parseConnections('{"conns": []}')).toEqual([]);
    expect(() => parseConnections('{"error": "[Errno 93] Protocol not supported"}')).toThrow(/Protocol not supported/);
    expect(() => parseConnections("Traceback (most recent call last):")).toThrow();
  });

  it("names the most recently active member as the current one, idle pooled connections aside", () => {
    expect(endpointsOf(parseConnections(ANSWER), (c) => names[c.remote] ?? c.remote)).toEqual({ etcd: ["e1", "e2"], current: "e1", idleMs: { e1: 1304, e2: 75032 } });
    expect(endpointsOf([], (c) => c.remote)).toEqual({ etcd: [] });
  });

  /** A lab whose pg1 runs a connections program that gives these answers, one per question. */
  function fakeLab(answers: (string | Error)[], proxy?: Record<string, string>) {
    const started: string[][] = [];
    const lab = {
      etcdNodes: () => Object.entries(names).map(([ip, name]) => ({ name, ip })),
      dcsProxy: proxy && { address: (node: string, member: string) => proxy[`${node}/${member}`] },
      execSession: async (_node: string, cmd: string[]): Promise<ExecSession> => {
        started.push(cmd);
        return {
          ask: async () => {
            const a = answers.shift() ?? new Error("no more answers");
            if (a instanceof Error) throw a;
            return a;
          },
          close: () => {},
        };
      },
    } as unknown as Lab;
    return { lab, started };
  }

  it("keeps one program running, names members by address, and starts it again after a failed answer", async () => {
    const { lab, started } = fakeLab([ANSWER, ANSWER, new Error("pg1: 'python3' did not answer within 3000 ms"), ANSWER]);
    const h = new History();
    const sampler = new DcsEndpointSampler(lab, "pg1");
    let t = 0;
    for (let i = 0; i < 4; i++) await sampler.sample(() => (t += 500), h);
    const got = h.of("dcs-endpoint");
    expect(got.map((s) => s.current ?? s.error)).toEqual(["e1", "e1", "pg1: 'python3' did not answer within 3000 ms", expect.stringMatching(/not running \(starting it again in 2 s\)/)]);
    expect(started).toHaveLength(1);
    expect(started[0].slice(0, 2)).toEqual(["python3", "-c"]);
    expect(started[0][3]).toBe("2379");
  });

  it("gives up on a program that does not start within 3 s, and closes it if it starts later", async () => {
    vi.useFakeTimers();
    try {
      let closed = 0;
      let finish: (s: ExecSession) => void = () => {};
      const lab = {
        etcdNodes: () => [],
        execSession: () => new Promise<ExecSession>((r) => (finish = r)),
      } as unknown as Lab;
      const h = new History();
      const done = new DcsEndpointSampler(lab, "pg1").sample(() => 1, h);
      await vi.advanceTimersByTimeAsync(3000);
      await done;
      expect(h.of("dcs-endpoint").map((s) => s.error)).toEqual(["pg1: the socket table program did not start within 3 s"]);
      finish({ ask: async () => "", close: () => void closed++ });
      await vi.advanceTimersByTimeAsync(0);
      expect(closed).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("behind the DCS proxy, names members by the proxy's port for this node", async () => {
    const proxy = { "pg1/e1": "192.168.48.9:40001", "pg1/e2": "192.168.48.9:40002", "pg1/e3": "192.168.48.9:40003" };
    const { lab, started } = fakeLab(['{"conns": [["192.168.48.9", 40003, 20, 10], ["192.168.48.9", 40001, 9000, 9000]]}'], proxy);
    const h = new History();
    await new DcsEndpointSampler(lab, "pg1").sample(() => 1000, h);
    expect(h.of("dcs-endpoint")).toEqual([{ kind: "dcs-endpoint", t: 1000, node: "pg1", etcd: ["e1", "e3"], current: "e3", idleMs: { e1: 9000, e3: 10 } }]);
    expect(started[0][3]).toBe("40001,40002,40003");
  });
});

/** Samples every 500 ms from `from` to `to` (exclusive) with this current member. */
function samples(node: string, from: number, to: number, current: string | undefined): DcsEndpointSample[] {
  const out: DcsEndpointSample[] = [];
  for (let t = from; t < to; t += 500) out.push({ kind: "dcs-endpoint", t, node, etcd: current ? [current] : [], ...(current ? { current } : {}) });
  return out;
}

const fault = (phase: "inject" | "heal", t: number): HistoryEvent => ({ kind: "fault", t, id: "cut", fault: "etcd-dns-break", phase, targets: ["e3"], ok: true });

describe("time on the isolated member", () => {
  // pg1 stuck on e3 for the whole fault; pg2 leaves after 1.5 s for e1; pg3 never on e3.
  const events: HistoryEvent[] = [
    ...samples("pg1", 0, 40_000, "e3"),
    ...samples("pg2", 0, 11_500, "e3"),
    ...samples("pg2", 11_500, 40_000, "e1"),
    ...samples("pg3", 0, 40_000, "e2"),
    fault("inject", 10_000),
    fault("heal", 30_000),
  ].sort((a, b) => a.t - b.t);

  it("measures per node how long it stayed, when it left and whether it was still there at the heal", () => {
    const [s] = dcsEndpointStays(events);
    expect(s).toMatchObject({ id: "cut", member: "e3", from: 10_000, to: 30_000, healed: true });
    expect(s.nodes).toEqual([
      { node: "pg1", onAtInject: true, onMs: 20_000, longestMs: 20_000, onAtHeal: true, used: ["e3"], samples: 41 },
      { node: "pg2", onAtInject: true, onMs: 1500, longestMs: 1500, onAtHeal: false, leftAt: 11_500, movedTo: "e1", used: ["e3", "e1"], samples: 41 },
      { node: "pg3", onAtInject: false, onMs: 0, longestMs: 0, onAtHeal: false, used: ["e2"], samples: 41 },
    ]);
  });

  it("does not count a gap in sampling as time on the member", () => {
    const gap = events.filter((e) => !(e.kind === "dcs-endpoint" && e.node === "pg1" && e.t > 12_000 && e.t < 25_000));
    expect(dcsEndpointStays(gap)[0].nodes[0].onMs).toBe(2000 + 2000 + 5000);
  });

  it("reports the figures as a note, and a finding for a node stuck longer than the threshold", () => {
    const r = dcsEndpointReport(events, 6000);
    expect(r.notes).toEqual([
      "DCS endpoints during etcd-dns-break 'cut' on e3 (+10.0s → +30.0s, 20.0 s): pg1 on e3 for 20.0 s (longest stretch 20.0 s), still on e3 at the heal; " +
        "pg2 on e3 for 1.5 s (longest stretch 1.5 s), moved to e1 at +11.5s (1.5 s after the fault); pg3 not on e3 (used e2).",
    ]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatch(/^pg1 stayed on the isolated etcd member e3 for 20\.0 s \(longer than retry_timeout \+ loop_wait = 6\.0 s\)/);
    expect(dcsEndpointReport(events, 30_000).findings).toEqual([]);
    expect(dcsEndpointReport(events.filter((e) => e.kind !== "fault"), 1).notes).toEqual([]);
  });
});
