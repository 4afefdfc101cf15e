import { describe, expect, test, vi } from "vitest";
import { WatchStall } from "./watch-stall.js";
import { DcsToxicFault, errorToxic, latencyToxic } from "../shared/dcs-toxic.js";
import type { FaultContext } from "../fault.js";
import { History } from "../../history/history.js";
import type { DcsProxyControl, ReleaseMode, Toxic } from "../../dcs-proxy/types.js";

/** A proxy that records what the faults ask of it. */
function fakeProxy() {
  const calls: string[] = [];
  const stalled = new Set<string>();
  const proxy: Partial<DcsProxyControl> = {
    stallWatch: async (n) => {
      calls.push(`stall ${n}`);
      stalled.add(n);
    },
    isStalled: async (n) => stalled.has(n),
    releaseWatch: async (n: string, mode: ReleaseMode) => {
      calls.push(`release ${n} ${mode}`);
      const was = stalled.delete(n);
      return { node: n, mode, stalledMs: 1500, streams: was ? 1 : 0, messages: was ? 3 : 0, events: was ? 3 : 0, delivered: 0, dropped: was ? 3 : 0, changes: was ? ["DELETE /service/c/leader", "PUT /service/c/leader"] : [] };
    },
    watchStreams: async () => [{ stream: 7, etcd: "e1", openedMs: 4000, stalled: false }],
    leaderView: async () => "pg1",
    addToxic: async (n: string, t: Toxic) => {
      calls.push(`add ${n} ${JSON.stringify(t)}`);
      return `t-${n}`;
    },
    removeToxic: async (n: string, id: string) => {
      calls.push(`remove ${n} ${id}`);
      return { matched: 4, faulted: 2 };
    },
    resetConnections: async (n: string, kinds?: string[]) => {
      calls.push(`reset ${n} ${kinds?.join(",")}`);
      return 1;
    },
  };
  return { proxy: proxy as DcsProxyControl, calls };
}

function ctxWith(proxy: DcsProxyControl | undefined) {
  const history = new History();
  history.append({ kind: "dcs", t: 0, reachable: true, leader: "pg3", members: [], etcdHealth: {} });
  const notes: string[] = [];
  const ctx = { lab: { dcsProxy: proxy } as never, history, now: () => 0, log: (m: string) => notes.push(m) } satisfies FaultContext;
  return { ctx, notes };
}

describe("watch-stall", () => {
  test("stalls the targets, releases once (release_after or heal, whichever first) with the chosen mode, and says what the cache holds", async () => {
    vi.useFakeTimers();
    try {
      const { proxy, calls } = fakeProxy();
      const { ctx, notes } = ctxWith(proxy);
      const f = new WatchStall(["pg2"], 5000, "drop");
      await f.inject(ctx);
      expect(calls).toEqual(["stall pg2"]);
      expect(notes[0]).toMatch(/pg2: watch stalled \(stream #7 via e1, open 4 s\).*released after 5\.0 s \(drop\); leader key in pg2's cache: pg1, in the DCS: pg3/);
      await vi.advanceTimersByTimeAsync(5000);
      expect(calls).toEqual(["stall pg2", "release pg2 drop"]);
      expect(notes[1]).toMatch(/pg2: watch released \(drop, release_after\) after 1\.5 s: 3 events in 3 messages .* 3 dropped \[DELETE leader, PUT leader\]/);
      await f.heal(ctx, "pg2");
      await f.heal(ctx, "pg2");
      expect(calls).toEqual(["stall pg2", "release pg2 drop"]);
      expect(notes[2]).toMatch(/healed \(released earlier\)/);
    } finally {
      vi.useRealTimers();
    }
  });

  test("a lab without the proxy: a clear error", async () => {
    const { ctx } = ctxWith(undefined);
    await expect(new WatchStall(["pg2"], undefined).inject(ctx)).rejects.toThrow(/acts through the DCS proxy.*topology\.dcs_proxy/);
  });
});

describe("dcs-latency / dcs-error", () => {
  test("a toxic per target, removed at heal once; reset also cuts what is open", async () => {
    const { proxy, calls } = fakeProxy();
    const { ctx, notes } = ctxWith(proxy);
    const lat = new DcsToxicFault("dcs-latency", ["pg1"], latencyToxic({ latency: 200, jitter: 20, requests: ["range"] }, ["e1"]));
    await lat.inject(ctx);
    await lat.heal(ctx, "pg1");
    await lat.heal(ctx, "pg1");
    expect(calls).toEqual([`add pg1 ${JSON.stringify({ latencyMs: 200, jitterMs: 20, kinds: ["range"], members: ["e1"] })}`, "remove pg1 t-pg1"]);
    expect(notes.pop()).toBe("pg1: dcs-latency removed: it matched 4 requests");
    calls.length = 0;
    const err = new DcsToxicFault("dcs-error", ["pg2"], errorToxic({ error: "reset", requests: ["watch"], probability: 1 }));
    await err.inject(ctx);
    expect(calls).toEqual([`add pg2 ${JSON.stringify({ fault: "reset", kinds: ["watch"], probability: 1 })}`, "reset pg2 watch"]);
    await err.heal(ctx, "pg2");
    expect(notes.pop()).toBe("pg2: dcs-error removed: it matched 4 requests, 2 failed (reset)");
  });
});
