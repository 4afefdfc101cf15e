import { describe, expect, test } from "vitest";
import { WatchCancel } from "./watch-cancel.js";
import type { FaultContext } from "../fault.js";
import { History } from "../../history/history.js";
import type { DcsProxyControl } from "../../dcs-proxy/types.js";
import { parseScenario } from "../../scenario/load.js";

function setup(proxy: Partial<DcsProxyControl> | undefined) {
  const history = new History();
  history.append({ kind: "dcs", t: 0, reachable: true, leader: "pg3", members: [], etcdHealth: {} });
  const notes: string[] = [];
  const ctx = { lab: { dcsProxy: proxy } as never, history, now: () => 0, log: (m: string) => notes.push(m) } satisfies FaultContext;
  return { ctx, notes };
}

describe("watch-cancel", () => {
  test("inject cancels the targets' open streams; heal resets the ones still open", async () => {
    const calls: string[] = [];
    const proxy: Partial<DcsProxyControl> = {
      cancelWatch: async (n, rev) => {
        calls.push(`cancel ${n} ${rev}`);
        return { node: n, streams: [{ stream: 4, etcd: "e2", revision: 31, compactRevision: rev ?? 31 }] };
      },
      closeCanceled: async (n) => {
        calls.push(`close ${n}`);
        return 1;
      },
      leaderView: async () => "pg1",
    };
    const { ctx, notes } = setup(proxy);
    const f = new WatchCancel(["pg2"], undefined);
    await f.inject(ctx);
    expect(notes[0]).toBe("pg2: watch canceled (#4 via e2 at revision 31, compact_revision 31); the stream stays open and delivers nothing more; leader key in pg2's cache: pg1, in the DCS: pg3");
    await f.heal(ctx, "pg2");
    expect(calls).toEqual(["cancel pg2 undefined", "close pg2"]);
    expect(notes[1]).toMatch(/^pg2: watch-cancel healed: 1 canceled stream\(s\) the client had kept open reset/);
  });

  test("a lab without the proxy: a clear error", async () => {
    await expect(new WatchCancel(["pg2"], 5).inject(setup(undefined).ctx)).rejects.toThrow(/acts through the DCS proxy/);
  });

  test("params: compact_revision optional, a positive integer", () => {
    const yaml = (extra: string) => `name: t\ndescription: d\nsteps:\n  - { fault: watch-cancel, targets: pg2${extra} }\n`;
    expect(() => parseScenario(yaml(""), "t.yaml")).not.toThrow();
    expect(() => parseScenario(yaml(", compact_revision: 12"), "t.yaml")).not.toThrow();
    expect(() => parseScenario(yaml(", compact_revision: 0"), "t.yaml")).toThrow(/compact_revision/);
  });
});
