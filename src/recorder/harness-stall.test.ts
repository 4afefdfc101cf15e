import { beforeAll, describe, expect, it } from "vitest";
import { closedPort, hangingServer, jsonServer } from "../../test/local-sockets.js";
import { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import { evaluateCondition, type ConditionContext } from "../conditions/registry.js";
import { HarnessStallMonitor } from "./harness-stall.js";
import { NodeSampler } from "./node-sampler.js";

describe("HarnessStallMonitor", () => {
  it("marks the time between two late ticks as a stall and reports only stalls overlapping a window", () => {
    let now = 0;
    const m = new HarnessStallMonitor(() => now, 50, 100);
    for (now = 50; now <= 150; now += 50) m.tick(now);
    m.tick(700); // due at 200: 500 ms late
    now = 700;
    expect(m.stalledMs(300, 500)).toBe(200);
    expect(m.stalledMs(100, 400)).toBe(200); // the stall began at 200
    expect(m.stalledMs(710, 740)).toBe(0);
    m.tick(750); // on time
    m.tick(830); // 30 ms late: below minStallMs
    now = 830;
    expect(m.stalledMs(740, 830)).toBe(0);
  });

  it("counts a stall still going on (the overdue tick a timeout callback can run before)", () => {
    let now = 0;
    const m = new HarnessStallMonitor(() => now, 50, 100);
    m.tick(0);
    expect(m.stalledMs(0, 400)).toBe(350);
    expect(m.stalledMs(0, 120)).toBe(0);
  });
});

/**
 * A real sampler against a REST endpoint in this process: the endpoint answers at once, but the
 * harness blocks its own event loop for longer than the probe's timeout. The probe then times
 * out on resume (timers run before sockets are read); the sample must be recorded as unknown,
 * and a condition must not see the node as down.
 */
describe("a failed sample taken while the harness stalls is unknown, not the node down", () => {
  let restPort = 0;
  let hangPort = 0;
  let noPort = 0;
  beforeAll(async () => {
    restPort = await jsonServer(() => ({ state: "running", role: "primary", timeline: 1 }));
    // Accepts connections and never answers: a node that is really unresponsive.
    hangPort = await hangingServer();
    noPort = await closedPort();
  });

  const labWith = (rest: number): Lab =>
    ({
      secrets: { superuserPassword: "x", replicationPassword: "x", restapiPassword: "x" },
      node: () => ({ endpoint: (p: number) => ({ host: "127.0.0.1", port: p === 8008 ? rest : noPort }) }),
    }) as unknown as Lab;
  const ctx = (history: History): ConditionContext => ({
    history,
    since: 0,
    now: Infinity,
    resolve: (r) => (r as unknown as { name: string }).name,
    stepStart: () => undefined,
    patroniNodes: ["pg1"],
    etcdNodes: [],
  });
  const roleIsDown = (h: History) => evaluateCondition({ type: "role", node: { type: "node", text: "pg1", name: "pg1" }, is: "down" } as never, ctx(h));

  it("stalled: recorded as unknown-sample, and `role is down` finds no sample", async () => {
    const stalls = new HarnessStallMonitor();
    stalls.start();
    const history = new History();
    const sampler = new NodeSampler(labWith(restPort), "pg1", 200, stalls);
    await new Promise((r) => setTimeout(r, 120)); // a few on-time ticks first
    const sampled = sampler.sample(() => 1000, history);
    const until = performance.now() + 400;
    while (performance.now() < until); // the harness's own stall, longer than the 200 ms timeout
    await sampled;
    sampler.close();
    stalls.stop();
    const [e] = history.all();
    expect(e).toMatchObject({ kind: "unknown-sample", of: "node", node: "pg1", t: 1000 });
    expect((e as { stallMs: number }).stallMs).toBeGreaterThanOrEqual(300);
    expect(history.of("node")).toHaveLength(0);
    expect(roleIsDown(history).ok).toBe(false);
  });

  it("not stalled: a node that really does not answer is recorded as down", async () => {
    // A monitor that saw no stall, by construction: a real one rightly reports this test
    // process's own stalls when CI runs it beside the e2e files' labs (load 10-17), and the
    // sample is then unknown (which the test above checks).
    const notStalled = { stalledMs: () => 0 } as unknown as HarnessStallMonitor;
    const history = new History();
    const sampler = new NodeSampler(labWith(hangPort), "pg1", 200, notStalled);
    await sampler.sample(() => 1000, history);
    sampler.close();
    expect(history.of("unknown-sample")).toHaveLength(0);
    expect(history.of("node")[0]).toMatchObject({ restUp: false, pgUp: false });
    expect(roleIsDown(history).ok).toBe(true);
  });
});
