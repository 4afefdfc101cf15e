import { describe, expect, it } from "vitest";
import { History } from "../../history/history.js";
import type { DcsSample, HistoryEvent } from "../../history/events.js";
import { evaluateCondition, type ConditionContext } from "../registry.js";
import { parseSyncKey } from "../../recorder/dcs-sampler.js";
import { NodeRefResolver } from "../../runner/node-refs.js";
import { parseNodeRef } from "../../scenario/primitives.js";

const dcs = (t: number, o: Partial<DcsSample>): DcsSample => ({ kind: "dcs", t, reachable: true, leader: null, members: ["pg1", "pg2", "pg3"], etcdHealth: {}, ...o });
const ref = (name: string) => ({ type: "node" as const, text: name, name, nodeKind: "patroni" as const });

// pg1 leads with pg2 synchronous; at 2000 the key still names pg1's standby while pg3 holds the
// leader key (a key of an earlier leader); at 3000 pg3 has made pg1 its synchronous standby.
const events: HistoryEvent[] = [
  dcs(0, { leader: "pg1" }),
  dcs(1000, { leader: "pg1", sync: parseSyncKey('{"leader":"pg1","sync_standby":"pg2"}') }),
  dcs(2000, { leader: "pg3", sync: parseSyncKey('{"leader":"pg1","sync_standby":"pg2"}') }),
  dcs(3000, { leader: "pg3", sync: parseSyncKey('{"leader":"pg3","sync_standby":"pg1","quorum":1}') }),
];
const history = History.from(events);
const ctx = (now: number): ConditionContext => ({ history, since: now - 1000, now, resolve: (r) => (r as unknown as { name: string }).name, stepStart: () => undefined, patroniNodes: ["pg1", "pg2", "pg3"], etcdNodes: [] });

describe("sync_standby and sync@<step>", () => {
  it("parses Patroni's /sync key: one or several standbys, none, quorum", () => {
    expect(parseSyncKey('{"leader":"pg1","sync_standby":"pg3,pg2"}')).toEqual({ leader: "pg1", standbys: ["pg2", "pg3"] });
    expect(parseSyncKey('{"leader":"pg1","sync_standby":null}')).toEqual({ leader: "pg1", standbys: [] });
    expect(parseSyncKey('{"leader":"pg1","quorum":0,"sync_standby":null}')).toEqual({ leader: "pg1", standbys: [], quorum: 0 });
    expect(parseSyncKey("not json")).toEqual({ leader: null, standbys: [] });
  });

  it("holds on the sync key of the current leader only", () => {
    const ev = (c: object, now: number) => evaluateCondition({ type: "sync_standby", ...c } as never, ctx(now));
    expect(ev({ exists: false }, 500).ok).toBe(true);
    expect(ev({ exists: false }, 500).detail).toMatch(/^no sync key; leader key held by pg1/);
    expect(ev({ exists: true }, 1500).ok).toBe(true);
    expect(ev({ is: ref("pg2") }, 1500).ok).toBe(true);
    expect(ev({ not: ref("pg2") }, 1500).ok).toBe(false);
    // pg1's key while pg3 holds the leader key names no standby of pg3.
    expect(ev({ exists: true }, 2500)).toMatchObject({ ok: false, detail: expect.stringMatching(/^sync key for pg1: pg2; leader key held by pg3/) });
    expect(ev({ not: ref("pg2") }, 2500).ok).toBe(true);
    expect(ev({ is: ref("pg1") }, 3500)).toMatchObject({ ok: true, detail: expect.stringMatching(/sync key for pg3: pg1 \(quorum 1\)/) });
  });

  it("sync@<step> names the synchronous standby of the leader when the step began, and fails without one", () => {
    const starts = new Map([
      ["before", 1500],
      ["early", 500],
      ["stale", 2500],
    ]);
    const r = new NodeRefResolver(history, starts, ["pg1", "pg2", "pg3"]);
    expect(r.resolve(parseNodeRef("sync@before"))).toBe("pg2");
    expect(() => r.resolve(parseNodeRef("sync@early"))).toThrow("sync@early: no synchronous standby of pg1 known when step 'early' began (no sync key in the DCS: is synchronous_mode on?)");
    expect(() => r.resolve(parseNodeRef("sync@stale"))).toThrow(/no synchronous standby of pg3 .*the sync key names pg2 for pg1/);
  });
});
