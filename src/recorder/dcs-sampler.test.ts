import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import { Attention } from "./attention.js";
import { DcsSampler } from "./dcs-sampler.js";

/** One etcd member in this process: the keys, /health and the raft status, with each path counted. */
describe("DcsSampler reads the keys every sample and etcd's health once a resting interval", () => {
  let server: http.Server;
  let port = 0;
  let leader = "pg1";
  const asked: Record<string, number> = {};
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      asked[req.url!] = (asked[req.url!] ?? 0) + 1;
      req.resume();
      req.on("end", () => {
        res.setHeader("content-type", "application/json");
        if (req.url === "/health") return res.end(JSON.stringify({ health: "true" }));
        if (req.url === "/v3/maintenance/status") return res.end(JSON.stringify({ header: { member_id: "11" }, leader: "11" }));
        res.end(JSON.stringify({ kvs: [{ key: b64("/service/lab/leader"), value: b64(leader), mod_revision: "5" }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("carries the latest health with its time, and raises attention when the leader key's holder changes", async () => {
    const lab = {
      secrets: {},
      namespace: "/service/",
      scope: "lab",
      etcdNodes: () => [{ name: "e1" }],
      node: () => ({ endpoint: () => ({ host: "127.0.0.1", port }) }),
    } as unknown as Lab;
    const attention = new Attention(1000);
    const history = new History();
    const sampler = new DcsSampler(lab, 500, undefined, 1000, attention);
    const raisedAt: number[] = [];
    for (let t = 0; t <= 2000; t += 200) {
      if (t === 1400) leader = "pg2";
      await sampler.sample(() => t, history);
      // The health reading runs beside the keys: let it land before the next sample.
      await new Promise((r) => setTimeout(r, 20));
      if (attention.closely(t)) raisedAt.push(t);
    }
    expect(asked["/health"]).toBe(3); // at 0, 1000, 2000
    expect(asked["/v3/kv/range"]).toBe(11);
    const samples = history.of("dcs");
    expect(samples[0]).toMatchObject({ reachable: true, leader: "pg1", etcdHealth: { e1: true }, etcdLeader: "e1", etcdHealthT: 0 });
    expect(samples.find((s) => s.t === 800)).toMatchObject({ etcdHealth: { e1: true }, etcdHealthT: 0 });
    expect(samples.find((s) => s.t === 1200)?.etcdHealthT).toBe(1000);
    expect(raisedAt[0]).toBe(1400);
  });
});
