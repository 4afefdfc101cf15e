import { beforeAll, describe, expect, it } from "vitest";
import { closedPort, hangingServer } from "../../test/local-sockets.js";
import { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import { HarnessStallMonitor } from "../recorder/harness-stall.js";
import { Writer, type WriterOptions } from "./writer.js";

/**
 * The real writer against local sockets (no Docker): a server that accepts connections and
 * never answers (every connect times out), and a port nothing listens on (refused at once).
 * Writes go "through HAProxy" so that the target is just that port.
 */
describe("workload: a write that timed out while the harness stalled is unknown", () => {
  let hangPort = 0;
  let noPort = 0;
  beforeAll(async () => {
    hangPort = await hangingServer();
    noPort = await closedPort();
  });

  const writer = (history: History, port: number, stalls?: WriterOptions["stalls"]) => {
    let t = 0;
    return new Writer({} as Lab, history, () => (t += 10), {
      rate: 20,
      timeoutMs: 200,
      via: "haproxy",
      haproxy: { host: "127.0.0.1", port, password: "x" },
      ...(stalls ? { stalls } : {}),
    });
  };

  it("stalled: the connect timeout is recorded as unknown with the stall", async () => {
    const stalls = new HarnessStallMonitor();
    stalls.start();
    await new Promise((r) => setTimeout(r, 120)); // a few on-time ticks first
    const history = new History();
    const w = writer(history, hangPort, stalls);
    w.start();
    const until = performance.now() + 400;
    while (performance.now() < until); // the harness's own stall, longer than the 200 ms timeout
    await w.stop();
    stalls.stop();
    const ops = history.of("write");
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ outcome: "unknown", error: "timeout expired", via: "haproxy" });
    expect(ops[0].stallMs).toBeGreaterThanOrEqual(200);
  });

  it("not stalled: a connect that really timed out is a failure", async () => {
    const history = new History();
    // No stall (a fixed answer: a real monitor could see one on a busy machine).
    const w = writer(history, hangPort, { stalledMs: () => 0 });
    w.start();
    await w.stop();
    const ops = history.of("write");
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ outcome: "fail", error: "timeout expired" });
    expect(ops[0].stallMs).toBeUndefined();
  });

  it("an answer from the cluster (connection refused) keeps its outcome, stall or not", async () => {
    const history = new History();
    const w = writer(history, noPort, { stalledMs: () => 500 });
    w.start();
    await w.stop();
    const ops = history.of("write");
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ outcome: "fail", error: expect.stringMatching(/ECONNREFUSED/) });
    expect(ops[0].stallMs).toBeUndefined();
  });
});
