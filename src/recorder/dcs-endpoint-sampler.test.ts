import { describe, expect, it } from "vitest";
import type { DcsEndpointSample, HistoryEvent } from "../history/events.js";
import { endpointsOf, parseSs } from "./dcs-endpoint-sampler.js";
import { dcsEndpointReport, dcsEndpointStays } from "../analysis/dcs-endpoint.js";

// `ss -tinH state established '( dport = :2379 )'` in a Patroni container: an idle pooled
// connection to e2, the request connection and the watch stream to e1.
const SS = `0      0      192.168.48.6:42070 192.168.48.3:2379
\t bbr wscale:10,10 rto:208 rtt:4.643/9.147 bytes_sent:350 bytes_received:1053 lastsnd:75044 lastrcv:75032 lastack:13268 app_limited
0      0      192.168.48.6:55146 192.168.48.2:2379
\t bbr wscale:10,10 rto:224 bytes_sent:7267 bytes_received:13027 lastsnd:3248 lastrcv:3248 lastack:3248
0      0      [::ffff:192.168.48.6]:55158 [::ffff:192.168.48.2]:2379
\t bbr wscale:10,10 rto:204 bytes_sent:701 bytes_received:22982 lastsnd:74928 lastrcv:1304 lastack:1304
`;
const names: Record<string, string> = { "192.168.48.2": "e1", "192.168.48.3": "e2", "192.168.48.4": "e3" };

describe("dcs endpoint sampler", () => {
  it("parses ss output", () => {
    expect(parseSs(SS)).toEqual([
      { remote: "192.168.48.3", lastSndMs: 75044, lastRcvMs: 75032 },
      { remote: "192.168.48.2", lastSndMs: 3248, lastRcvMs: 3248 },
      { remote: "192.168.48.2", lastSndMs: 74928, lastRcvMs: 1304 },
    ]);
    expect(parseSs("")).toEqual([]);
  });

  it("names the most recently active member as the current one, idle pooled connections aside", () => {
    expect(endpointsOf(parseSs(SS), (ip) => names[ip] ?? ip)).toEqual({ etcd: ["e1", "e2"], current: "e1", idleMs: { e1: 1304, e2: 75032 } });
    expect(endpointsOf([], (ip) => ip)).toEqual({ etcd: [] });
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
