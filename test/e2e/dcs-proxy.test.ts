import { afterAll, beforeAll, describe, expect, test } from "vitest";
import http from "node:http";
import path from "node:path";
import { docker, leftovers, quietProgress } from "./helpers.js";
import { DockerLab } from "../../src/lab/docker-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { ETCD_CLIENT_PORT } from "../../src/lab/etcd-command.js";
import { etcdHttp } from "../../src/lab/lab-clients.js";
import { ContainerDcsProxy, JsonMessageSplitter, describeWatchMessage, type DcsProxyNotice } from "../../src/dcs-proxy/index.js";
import { runLabels } from "../../src/lab/labels.js";
import { waitFor, sleep } from "../../src/util/time.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

/*
 * The DCS fault proxy against a REAL etcd (the lab image's etcd 3.4, one member), not a mock:
 * it runs as a container on the lab network, as in a scenario, for two pretend Patroni nodes
 * n1 and n2. The harness talks to it as Patroni does (HTTP/1.1, keep-alive, JSON, chunked
 * watch streams); one test goes through it from inside a container.
 */

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
const PREFIX = "/pgchaos-proxy-test/";
const LEADER = `${PREFIX}leader`;
const prefixEnd = (p: string) => {
  const b = Buffer.from(p);
  b[b.length - 1]++;
  return b.toString();
};

interface Reply {
  status: number;
  body: any;
  text: string;
  headers: http.IncomingHttpHeaders;
  reusedSocket: boolean;
  ms: number;
}

/** One JSON POST, as Patroni's urllib3 does it (Content-Length body, keep-alive). */
function post(base: string, p: string, body: unknown, opts: { agent?: http.Agent; timeoutMs?: number } = {}): Promise<Reply> {
  const u = new URL(base);
  const data = Buffer.from(JSON.stringify(body));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: Number(u.port), method: "POST", path: p, agent: opts.agent, headers: { "content-type": "application/json", "content-length": data.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text, headers: res.headers, reusedSocket: req.reusedSocket, ms: performance.now() - t0 });
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error("client timeout")));
    req.on("error", reject);
    req.end(data);
  });
}

/** A watch stream as Patroni opens it: POST /v3/watch {create_request}, read chunk by chunk. */
class Watch {
  messages: any[] = [];
  events: { type: string; key: string; value: string }[] = [];
  headers?: http.IncomingHttpHeaders;
  ended = false;
  error?: string;
  private req!: http.ClientRequest;
  private readonly splitter = new JsonMessageSplitter();
  opened: Promise<void>;

  constructor(base: string, prefix = PREFIX, startRevision?: number) {
    const u = new URL(base);
    const create: Record<string, unknown> = { key: b64(prefix), range_end: b64(prefixEnd(prefix)) };
    if (startRevision) create.start_revision = startRevision;
    const data = Buffer.from(JSON.stringify({ create_request: create }));
    this.opened = new Promise((resolve, reject) => {
      this.req = http.request(
        { host: u.hostname, port: Number(u.port), method: "POST", path: "/v3/watch", agent: false, headers: { "content-type": "application/json", "content-length": data.length } },
        (res) => {
          this.headers = res.headers;
          res.on("data", (c: Buffer) => {
            for (const m of this.splitter.push(c)) {
              if (!m.trim()) continue;
              const j = JSON.parse(m);
              this.messages.push(j);
              for (const e of j.result?.events ?? []) this.events.push({ type: e.type ?? "PUT", key: unb64(e.kv.key), value: e.kv.value ? unb64(e.kv.value) : "" });
            }
          });
          res.on("end", () => (this.ended = true));
          res.on("error", (e) => (this.error = e.message));
          res.on("close", () => (this.ended = true));
          resolve();
        },
      );
      this.req.on("error", (e) => {
        this.error = e.message;
        this.ended = true;
        reject(e);
      });
      this.req.end(data);
    });
    this.opened.catch(() => {});
  }

  created() {
    return this.messages.some((m) => m.result?.created);
  }
  close() {
    this.req.destroy();
  }
}

let lab: DockerLab;
let proxy: ContainerDcsProxy;
let proxyIp: string;
let direct: string;
const notices: DcsProxyNotice[] = [];
const via = (node: string) => `http://${proxy.address(node, "e1")}`;

async function put(base: string, key: string, value: string, agent?: http.Agent) {
  const r = await post(base, "/v3/kv/put", { key: b64(key), value: b64(value) }, { agent });
  expect(r.status).toBe(200);
  return Number(r.body.header.revision);
}

beforeAll(async () => {
  const logDir = tmp("pgchaos-dcs-proxy-");
  lab = await DockerLab.start(clusterSpec({ etcd: { members: 1, preVote: false }, patroni: { nodes: 0 } }), {
    docker,
    image: process.env.PGCHAOS_IMAGE!,
    logDir,
    progress: quietProgress,
  });
  await waitFor("etcd healthy", () => etcdHttp(lab, "e1").health().catch(() => false), { timeoutMs: 60_000 });
  direct = `http://${lab.node("e1").ip}:${ETCD_CLIENT_PORT}`;
  proxy = await ContainerDcsProxy.start({
    docker,
    image: process.env.PGCHAOS_IMAGE!,
    network: lab.networkName!,
    name: `pgchaos-${lab.runId}-dcs-proxy-test`,
    labels: runLabels(lab.runId),
    nodes: ["n1", "n2"],
    members: ["e1"],
    upstreamPort: ETCD_CLIENT_PORT,
    leaderKey: LEADER,
    seed: 1,
  });
  proxyIp = proxy.ip;
  proxy.onNotice((n) => notices.push(n));
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  const runId = lab?.runId;
  await lab?.teardown();
  if (runId) expect(await leftovers(runId)).toEqual({ containers: [], networks: [], volumes: [] });
});

describe("dcs proxy against a real etcd", () => {
  test("runs as a container on the lab network, one port per (node, member); a container reaches etcd through it", async () => {
    const info = await docker.getContainer(proxy.containerId).inspect();
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([lab.networkName]);
    expect(info.Config.Labels["pgchaos.run"]).toBe(lab.runId);
    expect(info.HostConfig.Privileged).toBe(false);
    expect(proxy.address("n1", "e1")).toMatch(new RegExp(`^${proxyIp.replace(/\./g, "\\.")}:\\d+$`));
    expect(proxy.address("n1", "e1")).not.toBe(proxy.address("n2", "e1"));
    expect(proxy.routeOf(Number(proxy.address("n2", "e1").split(":")[1]))).toEqual({ node: "n2", member: "e1" });
    // From inside the lab network, as Patroni will: GET /version and a JSON POST.
    const v = await lab.exec("e1", ["curl", "-sS", "-m", "5", `http://${proxy.address("n1", "e1")}/version`]);
    expect(JSON.parse(v.stdout).etcdserver).toMatch(/^3\.4\./);
    const r = await lab.exec("e1", ["curl", "-sS", "-m", "5", "-X", "POST", "-d", JSON.stringify({ key: b64(`${PREFIX}from-container`), value: b64("x") }), `http://${proxy.address("n2", "e1")}/v3/kv/put`]);
    expect(JSON.parse(r.stdout).header.revision).toMatch(/^\d+$/);
    expect((await proxy.requestCounts("n1")).other).toBeGreaterThanOrEqual(1);
    expect((await proxy.requestCounts("n2")).put).toBeGreaterThanOrEqual(1);
  });

  test("kv requests pass through unchanged: the same statuses and bodies as straight to etcd", async () => {
    const rev = await put(via("n1"), `${PREFIX}a`, "1");
    const range = { key: b64(PREFIX), range_end: b64(prefixEnd(PREFIX)), serializable: true };
    const [d, p] = await Promise.all([post(direct, "/v3/kv/range", range), post(via("n1"), "/v3/kv/range", range)]);
    expect(p.status).toBe(200);
    expect(p.body.kvs).toEqual(d.body.kvs);
    expect(Number(p.body.header.revision)).toBeGreaterThanOrEqual(rev);
    // An etcd error comes back as etcd sent it (status and JSON body).
    const bad = { key: b64(`${PREFIX}a`), range_end: b64(PREFIX) };
    const [de, pe] = await Promise.all([post(direct, "/v3/kv/deleterange", { key: "%%%" }), post(via("n1"), "/v3/kv/deleterange", { key: "%%%" })]);
    expect(pe.status).toBe(de.status);
    expect(pe.body).toEqual(de.body);
    expect((await post(via("n1"), "/v3/kv/range", bad)).status).toBe(200);
    // Leases and a compare-and-swap txn, as Patroni takes the leader key.
    const lease = await post(via("n1"), "/v3/lease/grant", { TTL: 30 });
    expect(lease.status).toBe(200);
    const id = lease.body.ID;
    const ka = await post(via("n1"), "/v3/lease/keepalive", { ID: id });
    expect(ka.body.result.TTL).toBe("30");
    const txn = (v: string) => ({
      compare: [{ target: "CREATE", key: b64(LEADER), create_revision: "0" }],
      success: [{ request_put: { key: b64(LEADER), value: b64(v), lease: id } }],
    });
    expect((await post(via("n1"), "/v3/kv/txn", txn("n1"))).body.succeeded).toBe(true);
    expect((await post(via("n2"), "/v3/kv/txn", txn("n2"))).body.succeeded).toBeUndefined(); // false is omitted by the gateway
    const counts = await proxy.requestCounts("n1");
    expect(counts.range).toBeGreaterThanOrEqual(2);
    expect(counts.txn).toBe(1);
    expect(counts["lease-grant"]).toBe(1);
    expect(counts["lease-keepalive"]).toBe(1);
    expect(counts.delete).toBe(1);
    expect(await proxy.leaderView("n1")).toBe("n1");
  });

  test("keep-alive: 300 sequential requests share one client connection (and one upstream connection)", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = await upstreamConnections();
    const replies: Reply[] = [];
    for (let i = 0; i < 300; i++) {
      replies.push(
        i % 3 === 0
          ? await post(via("n1"), "/v3/kv/put", { key: b64(`${PREFIX}ka`), value: b64(String(i)) }, { agent })
          : await post(via("n1"), "/v3/kv/range", { key: b64(`${PREFIX}ka`) }, { agent }),
      );
    }
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(replies.filter((r) => !r.reusedSocket)).toHaveLength(1);
    expect(Number(unb64(replies[299].body.kvs[0].value))).toBe(297);
    expect(await upstreamConnections()).toBeLessThanOrEqual(before + 1);
    agent.destroy();
  });

  test("a chunked watch stream passes through and delivers every event, in order", async () => {
    const w = new Watch(via("n1"));
    await w.opened;
    expect(w.headers!["transfer-encoding"]).toBe("chunked");
    await waitFor("created", async () => w.created(), { timeoutMs: 5000, intervalMs: 20 });
    for (let i = 0; i < 20; i++) await put(direct, `${PREFIX}w/${i}`, String(i));
    await waitFor("20 events", async () => w.events.length >= 20, { timeoutMs: 5000, intervalMs: 20 });
    expect(w.events.map((e) => e.value)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(await proxy.watchStreams("n1")).toHaveLength(1);
    w.close();
    await waitFor("stream closed at the proxy", async () => (await proxy.watchStreams("n1")).length === 0, { timeoutMs: 5000, intervalMs: 20 });
    const closed = notices.filter((n) => n.action === "stream-close" && n.node === "n1").pop()!;
    expect(closed.events).toBe(20);
    expect(closed.text).toMatch(/closed by the client/);
  });

  test("many concurrent streams (60, on two nodes) all get the same event", async () => {
    const ws = Array.from({ length: 60 }, (_, i) => new Watch(via(i % 2 ? "n2" : "n1")));
    await Promise.all(ws.map((w) => w.opened));
    await waitFor("all created", async () => ws.every((w) => w.created()), { timeoutMs: 10_000, intervalMs: 50 });
    expect((await proxy.watchStreams("n1")).length + (await proxy.watchStreams("n2")).length).toBe(60);
    await put(direct, `${PREFIX}fanout`, "x");
    await waitFor("every stream got it", async () => ws.every((w) => w.events.some((e) => e.key === `${PREFIX}fanout`)), { timeoutMs: 10_000, intervalMs: 50 });
    await closeAll(...ws);
  });

  test("a stalled watch delivers nothing while kv requests of the same node work; release deliver / drop / close", async () => {
    const w1 = new Watch(via("n1"));
    const w2 = new Watch(via("n2"));
    await Promise.all([w1.opened, w2.opened]);
    await waitFor("created", async () => w1.created() && w2.created(), { timeoutMs: 5000, intervalMs: 20 });
    await proxy.stallWatch("n1");
    expect(await proxy.isStalled("n1")).toBe(true);
    for (let i = 0; i < 5; i++) await put(direct, `${PREFIX}s/${i}`, `d${i}`);
    await waitFor("n2 got 5", async () => w2.events.length >= 5, { timeoutMs: 5000, intervalMs: 20 });
    await sleep(500);
    expect(w1.events).toHaveLength(0);
    expect(w1.ended).toBe(false);
    // The same node's kv requests are untouched, through the same proxy port.
    const r = await post(via("n1"), "/v3/kv/range", { key: b64(`${PREFIX}s/`), range_end: b64(prefixEnd(`${PREFIX}s/`)) });
    expect(r.body.kvs).toHaveLength(5);
    await put(via("n1"), `${PREFIX}s/by-n1`, "own");
    // A stream opened during the stall is stalled too.
    const w3 = new Watch(via("n1"));
    await w3.opened;
    await sleep(300);
    expect(w3.messages).toHaveLength(0);
    w3.close();
    await waitFor("w3 gone at the proxy", async () => (await proxy.watchStreams("n1")).length === 1, { timeoutMs: 5000, intervalMs: 20 });

    // deliver: late, in order.
    const rep = await proxy.releaseWatch("n1", "deliver");
    expect(rep).toMatchObject({ mode: "deliver", streams: 1, events: 6, delivered: 6, dropped: 0 });
    expect(rep.changes[0]).toBe(`PUT ${PREFIX}s/0`);
    await waitFor("n1 got 6 late", async () => w1.events.length >= 6, { timeoutMs: 5000, intervalMs: 20 });
    expect(w1.events.map((e) => e.value)).toEqual(["d0", "d1", "d2", "d3", "d4", "own"]);

    // drop: what happened during the stall never arrives; the stream carries on.
    await proxy.stallWatch("n1");
    for (let i = 0; i < 3; i++) await put(direct, `${PREFIX}s/x${i}`, `x${i}`);
    await sleep(300);
    const drop = await proxy.releaseWatch("n1", "drop");
    expect(drop).toMatchObject({ mode: "drop", streams: 1, events: 3, delivered: 0, dropped: 3 });
    await put(direct, `${PREFIX}s/after`, "after");
    await waitFor("n1 got the change after the release", async () => w1.events.some((e) => e.value === "after"), { timeoutMs: 5000, intervalMs: 20 });
    expect(w1.events.map((e) => e.value).slice(6)).toEqual(["after"]);
    expect(w1.ended).toBe(false);

    // close: the stream is reset; the client has to open a new one.
    await proxy.stallWatch("n1");
    await put(direct, `${PREFIX}s/y`, "y");
    await sleep(300);
    const close = await proxy.releaseWatch("n1", "close");
    expect(close).toMatchObject({ mode: "close", streams: 1, events: 1, dropped: 1 });
    await waitFor("n1's stream ended", async () => w1.ended, { timeoutMs: 5000, intervalMs: 20 });
    expect(w1.events.some((e) => e.value === "y")).toBe(false);
    // Releasing what is not stalled is a no-op.
    expect(await proxy.releaseWatch("n1", "drop")).toMatchObject({ streams: 0, events: 0 });
    // n2 saw everything.
    expect(w2.events.map((e) => e.value)).toEqual(["d0", "d1", "d2", "d3", "d4", "own", "x0", "x1", "x2", "after", "y"]);
    await closeAll(w2);
    const kinds = notices.filter((n) => n.node === "n1").map((n) => n.action);
    expect(kinds).toEqual(expect.arrayContaining(["stall", "release", "stream-open", "stream-close"]));
  });

  test("latency toxic: range answers and watch events arrive late; other kinds and nodes are untouched", async () => {
    const w = new Watch(via("n1"));
    await w.opened;
    await waitFor("created", async () => w.created(), { timeoutMs: 5000, intervalMs: 20 });
    const id = await proxy.addToxic("n1", { kinds: ["range", "watch"], latencyMs: 300 });
    const range = { key: b64(`${PREFIX}a`) };
    const slow = await post(via("n1"), "/v3/kv/range", range);
    const otherNode = await post(via("n2"), "/v3/kv/range", range);
    const otherKind = await post(via("n1"), "/v3/kv/put", { key: b64(`${PREFIX}lat`), value: b64("1") });
    expect(slow.ms).toBeGreaterThanOrEqual(295);
    expect(otherNode.ms).toBeLessThan(150);
    expect(otherKind.ms).toBeLessThan(150);
    // The put above is a watch event for n1's stream: it must take >= 300 ms to arrive.
    const t0 = performance.now();
    await put(direct, `${PREFIX}lat2`, "2");
    await waitFor("event", async () => w.events.some((e) => e.key === `${PREFIX}lat2`), { timeoutMs: 5000, intervalMs: 5 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
    expect(w.events.map((e) => e.key).slice(-2)).toEqual([`${PREFIX}lat`, `${PREFIX}lat2`]);
    // Requests matched: the range (the watch stream was opened before the toxic; its messages are delayed, not counted).
    expect(await proxy.removeToxic("n1", id)).toEqual({ matched: 1, faulted: 0 });
    expect(await proxy.removeToxic("n1", id)).toBeUndefined();
    expect((await post(via("n1"), "/v3/kv/range", range)).ms).toBeLessThan(150);
    await closeAll(w);
  });

  test("unavailable toxic: 503 with etcd's JSON error body (gRPC code 14) on the chosen kinds only", async () => {
    const id = await proxy.addToxic("n2", { kinds: ["lease-keepalive", "put"], fault: "unavailable" });
    const r = await post(via("n2"), "/v3/kv/put", { key: b64(`${PREFIX}u`), value: b64("1") });
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: "etcdserver: request timed out", code: 14, message: "etcdserver: request timed out" });
    expect((await post(via("n2"), "/v3/kv/range", { key: b64(`${PREFIX}u`) })).body.kvs).toBeUndefined(); // the put never reached etcd
    expect((await post(via("n1"), "/v3/kv/put", { key: b64(`${PREFIX}u`), value: b64("1") })).status).toBe(200);
    expect(await proxy.removeToxic("n2", id)).toEqual({ matched: 1, faulted: 1 });
  });

  test("reset toxic: the client's connection is reset; a blackhole swallows the request until the client gives up", async () => {
    const reset = await proxy.addToxic("n2", { kinds: ["range"], fault: "reset" });
    await expect(post(via("n2"), "/v3/kv/range", { key: b64("x") })).rejects.toThrow(/ECONNRESET|socket hang up/);
    await proxy.removeToxic("n2", reset);
    const hole = await proxy.addToxic("n2", { kinds: ["range"], fault: "blackhole" });
    const t0 = performance.now();
    await expect(post(via("n2"), "/v3/kv/range", { key: b64("x") }, { timeoutMs: 1000 })).rejects.toThrow(/client timeout/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    // Meanwhile other kinds of the same node pass.
    expect((await post(via("n2"), "/v3/kv/put", { key: b64(`${PREFIX}bh`), value: b64("1") })).status).toBe(200);
    expect(await proxy.removeToxic("n2", hole)).toEqual({ matched: 1, faulted: 1 });
    expect((await post(via("n2"), "/v3/kv/range", { key: b64("x") })).status).toBe(200);
  });

  test("resetConnections cuts a node's watch connections only when asked for watches", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await post(via("n1"), "/v3/kv/range", { key: b64("x") }, { agent });
    const w = new Watch(via("n1"));
    await w.opened;
    await waitFor("created", async () => w.created(), { timeoutMs: 5000, intervalMs: 20 });
    expect(await proxy.resetConnections("n1", ["watch"])).toBe(1);
    await waitFor("stream ended", async () => w.ended, { timeoutMs: 5000, intervalMs: 20 });
    // The kv connection survived.
    expect((await post(via("n1"), "/v3/kv/range", { key: b64("x") }, { agent })).reusedSocket).toBe(true);
    agent.destroy();
  });

  test("an etcd error inside a watch stream is passed on as etcd framed it", async () => {
    // Watching from a compacted revision makes etcd cancel the watch with a reason.
    const rev = await put(direct, `${PREFIX}c`, "1");
    await put(direct, `${PREFIX}c`, "2");
    const c = await post(direct, "/v3/kv/compaction", { revision: String(rev + 1), physical: true });
    expect(c.status).toBe(200);
    const w = new Watch(via("n2"), PREFIX, rev - 1);
    await w.opened;
    await waitFor("cancel", async () => w.messages.some((m) => m.result?.canceled), { timeoutMs: 5000, intervalMs: 20 });
    const m = w.messages.find((x) => x.result?.canceled);
    expect(describeWatchMessage(JSON.stringify(m)).canceled).toBe(true);
    expect(m.result.compact_revision).toBe(String(rev + 1));
    await closeAll(w);
  });
});

/** Closes watches and waits until the proxy has seen every stream of both nodes go. */
async function closeAll(...ws: Watch[]) {
  for (const w of ws) w.close();
  await waitFor("streams closed at the proxy", async () => (await proxy.watchStreams("n1")).length + (await proxy.watchStreams("n2")).length === 0, { timeoutMs: 10_000, intervalMs: 20 });
}

/** Established connections from the proxy container to etcd's client port, seen inside the etcd container. */
async function upstreamConnections(): Promise<number> {
  const r = await lab.exec("e1", ["sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null"]);
  const gwHex = proxyIp
    .split(".")
    .map((x) => Number(x).toString(16).padStart(2, "0"))
    .reverse()
    .join("")
    .toUpperCase();
  return r.stdout.split("\n").filter((l) => {
    const f = l.trim().split(/\s+/);
    return f[3] === "01" && f[1]?.endsWith(`:${ETCD_CLIENT_PORT.toString(16).toUpperCase().padStart(4, "0")}`) && f[2]?.toUpperCase().includes(gwHex);
  }).length;
}
