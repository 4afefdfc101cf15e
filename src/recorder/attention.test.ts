import { beforeAll, describe, expect, it } from "vitest";
import { closedPort, jsonServer } from "../../test/local-sockets.js";
import { History } from "../history/history.js";
import type { DcsWatchEvent } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { Attention, due } from "./attention.js";
import { NodeSampler } from "./node-sampler.js";

const watch = (t: number, key: string, value?: string): DcsWatchEvent =>
  value === undefined ? { kind: "dcs-watch", t, member: "e3", key, type: "delete", revision: t, modRevision: t } : { kind: "dcs-watch", t, member: "e3", key, type: "put", value, revision: t, modRevision: t };

describe("Attention", () => {
  it("is raised by faults, actions and step starts for the hold, not by a step's end", () => {
    const a = new Attention(5000);
    expect(a.closely(0)).toBe(false);
    a.observe({ kind: "step", t: 100, index: 0, id: "s", type: "sleep", phase: "end", text: "" });
    expect(a.closely(200)).toBe(false);
    a.observe({ kind: "fault", t: 1000, id: "f", fault: "etcd-pause", phase: "inject", targets: ["e1"], ok: true });
    expect(a.closely(5999)).toBe(true);
    expect(a.closely(6000)).toBe(false);
  });

  it("takes Patroni's periodic writes for no change: lease refreshes, WAL positions, the status key", () => {
    const a = new Attention(5000);
    a.observe(watch(0, "leader", "pg1"));
    a.observe(watch(0, "members/pg2", "replica streaming xlog 100 tl 1"));
    expect(a.closely(1)).toBe(true); // first sight of each key
    a.observe(watch(10_000, "leader", "pg1"));
    a.observe(watch(10_000, "members/pg2", "replica streaming xlog 200 tl 1"));
    a.observe(watch(10_000, "status", '{"optime": 300}'));
    expect(a.closely(10_001)).toBe(false);
    a.observe(watch(20_000, "members/pg2", "primary running xlog 300 tl 2"));
    expect(a.closely(20_001)).toBe(true);
    a.observe(watch(30_000, "leader"));
    expect(a.closely(30_001)).toBe(true);
  });

  it("due: every tick while raised, else once the resting interval has passed", () => {
    const a = new Attention(1000);
    expect(due(a, 0, undefined, 1000)).toBe(true);
    expect(due(a, 500, 0, 1000)).toBe(false);
    expect(due(a, 1000, 0, 1000)).toBe(true);
    a.raise(1100);
    expect(due(a, 1200, 1100, 1000)).toBe(true);
  });
});

/** A real sampler against a REST endpoint in this process, on a fake clock; PostgreSQL does not answer. */
describe("NodeSampler asks Patroni's REST API at rest once a resting interval, every sample around a change", () => {
  let restPort = 0;
  let noPort = 0;
  let role = "replica";
  let asked = 0;
  beforeAll(async () => {
    restPort = await jsonServer(() => {
      asked++;
      return { state: "running", role, timeline: 1 };
    });
    noPort = await closedPort();
  });

  it("carries the last answer with its time between readings, and reads every sample after a change", async () => {
    const lab = {
      secrets: { superuserPassword: "x", replicationPassword: "x", restapiPassword: "x" },
      node: () => ({ endpoint: (p: number) => ({ host: "127.0.0.1", port: p === 8008 ? restPort : noPort }) }),
    } as unknown as Lab;
    const attention = new Attention(1000);
    const history = new History();
    const sampler = new NodeSampler(lab, "pg1", 500, undefined, attention, 1000);
    const askedAt: number[] = [];
    for (let t = 0; t <= 4000; t += 200) {
      if (t === 1200) role = "primary";
      const before = asked;
      await sampler.sample(() => t, history);
      if (asked > before) askedAt.push(t);
    }
    sampler.close();
    // At rest at 0 and 1000; 2000 sees the promotion (a change): every sample for the 1 s hold
    // after it; then at rest again, a resting interval after the last reading.
    expect(askedAt).toEqual([0, 1000, 2000, 2200, 2400, 2600, 2800, 3800]);
    const at = (t: number) => history.of("node").find((s) => s.t === t)!;
    expect(at(400)).toMatchObject({ restUp: true, role: "replica", restT: 0 });
    expect(at(1600)).toMatchObject({ role: "replica", restT: 1000 });
    expect(at(2000).role).toBe("primary");
    expect(at(2000).restT).toBeUndefined();
    expect(history.of("node")).toHaveLength(21);
  });
});
