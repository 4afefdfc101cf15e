// The DCS proxy's error bodies per gateway shape, and the watch cancelation, against a fake etcd
// (an HTTP server on loopback) through a real DcsProxy.
import http from "node:http";
import type net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { DcsProxy, errorAnswer } from "./proxy.js";
import { describeWatchMessage } from "./watch-messages.js";
import type { DcsProxyNotice } from "./types.js";

describe("errorAnswer: etcd's gateway error bodies", () => {
  test("unary-v1 (default): the body the proxy always answered, on every kind", () => {
    for (const kind of ["txn", "lease-keepalive", "watch"] as const)
      expect(errorAnswer("unavailable", kind)).toEqual({
        status: 503,
        body: '{"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"}',
      });
    expect(errorAnswer("unknown", "lease-keepalive")).toEqual({ status: 500, body: '{"error":"not a primary lessor","code":2,"message":"not a primary lessor"}' });
  });
  test("gateway-v1 (etcd 3.4/3.5): a stream error chunk on watch and lease keepalive, the unary body elsewhere", () => {
    expect(errorAnswer("unknown", "lease-keepalive", undefined, "gateway-v1")).toEqual({
      status: 500,
      body: '{"error":{"grpc_code":2,"http_code":500,"message":"not a primary lessor","http_status":"Internal Server Error"}}\n',
    });
    expect(errorAnswer("unavailable", "range", "etcdserver: no leader", "gateway-v1").body).toBe('{"error":"etcdserver: no leader","code":14,"message":"etcdserver: no leader"}');
  });
  test("gateway-v2 (etcd 3.6+): {error: {code, message}} on streams, the bare status elsewhere", () => {
    expect(errorAnswer("unavailable", "lease-keepalive", "etcdserver: no leader", "gateway-v2")).toEqual({
      status: 503,
      body: '{"error":{"code":14,"message":"etcdserver: no leader"}}\n',
    });
    expect(errorAnswer("unavailable", "txn", "etcdserver: no leader", "gateway-v2")).toEqual({ status: 503, body: '{"code":14,"message":"etcdserver: no leader"}' });
  });
});

/** A fake etcd: unary answers, and watch streams the test writes to. */
async function fakeEtcd() {
  const watches: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.url === "/v3/watch") {
        res.writeHead(200, { "content-type": "application/json" });
        res.flushHeaders();
        watches.push(res);
        return;
      }
      const body = JSON.stringify({ header: { revision: "7" }, result: { TTL: "10" } });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, watches, port: (server.address() as net.AddressInfo).port };
}

function post(address: string, path: string, body = "{}"): Promise<{ status: number; body: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method: "POST", path, agent: false, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** A watch stream as a client reads it: the messages received so far, and whether it ended or broke. */
function openWatch(address: string) {
  const [host, port] = address.split(":");
  const got = { text: "", ended: false, broken: false };
  const req = http.request({ host, port: Number(port), method: "POST", path: "/v3/watch", agent: false }, (res) => {
    res.on("data", (c: Buffer) => (got.text += c.toString()));
    res.on("end", () => (got.ended = true));
    res.on("error", () => (got.broken = true));
  });
  req.on("error", () => (got.broken = true));
  req.end('{"create_request":{"key":"L3NlcnZpY2Uv","start_revision":"5"}}');
  return { got, req };
}

const until = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
};

describe("through a live proxy", () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup() {
    const etcd = await fakeEtcd();
    cleanup.push(() => new Promise<void>((r) => { etcd.server.closeAllConnections(); etcd.server.close(() => r()); }));
    const proxy = await DcsProxy.start({ listenHost: "127.0.0.1", nodes: ["pg1"], members: ["e1"], upstream: () => ({ host: "127.0.0.1", port: etcd.port }), leaderKey: "/service/c/leader" });
    cleanup.push(() => proxy.close());
    const notices: DcsProxyNotice[] = [];
    proxy.onNotice((n) => notices.push(n));
    return { etcd, proxy, notices, address: proxy.address("pg1", "e1") };
  }

  test("dcs-error unknown on lease keepalive with the gateway-v2 shape; other kinds pass", async () => {
    const { proxy, address } = await setup();
    const id = proxy.addToxic("pg1", { fault: "unknown", kinds: ["lease-keepalive"], shape: "gateway-v2" });
    expect(await post(address, "/v3/lease/keepalive", '{"ID":"1"}')).toEqual({ status: 500, body: '{"error":{"code":2,"message":"not a primary lessor"}}\n' });
    expect((await post(address, "/v3/kv/range")).status).toBe(200);
    expect(proxy.removeToxic("pg1", id)).toEqual({ matched: 1, faulted: 1 });
    expect(JSON.parse((await post(address, "/v3/lease/keepalive", '{"ID":"1"}')).body)).toMatchObject({ result: { TTL: "10" } });
  });

  test("watch cancel: the message with the stream's header and compact_revision, the stream open, nothing more delivered; heal resets it", async () => {
    const { etcd, proxy, notices, address } = await setup();
    const w = openWatch(address);
    cleanup.push(() => void w.req.destroy());
    await until(() => etcd.watches.length === 1, "the watch to reach etcd");
    const header = { cluster_id: "11", member_id: "22", revision: "42", raft_term: "3" };
    etcd.watches[0].write(JSON.stringify({ result: { header, created: true } }) + "\n");
    await until(() => w.got.text.includes("created"), "the created message");

    const r = proxy.cancelWatch("pg1");
    expect(r.streams).toEqual([{ stream: expect.any(Number), etcd: "e1", revision: 42, compactRevision: 42 }]);
    await until(() => w.got.text.includes("canceled"), "the cancel message");
    const lines = w.got.text.trim().split("\n");
    expect(JSON.parse(lines[1])).toEqual({ result: { header, canceled: true, compact_revision: "42" } });
    expect(describeWatchMessage(lines[1])).toMatchObject({ canceled: true, revision: 42 });

    // etcd's later messages never arrive; the stream stays open.
    etcd.watches[0].write(JSON.stringify({ result: { header: { ...header, revision: "43" }, events: [{ kv: { key: "L3NlcnZpY2UvYy9sZWFkZXI=", value: "cGcy", mod_revision: "43" } }] } }) + "\n");
    await new Promise((r) => setTimeout(r, 100));
    expect(w.got.text.trim().split("\n")).toHaveLength(2);
    expect(w.got.ended || w.got.broken).toBe(false);
    expect(proxy.watchStreams("pg1")).toHaveLength(1);
    // Canceling again finds nothing new to cancel; an explicit compact_revision is used as given.
    expect(proxy.cancelWatch("pg1", 7).streams).toEqual([]);

    expect(proxy.closeCanceled("pg1")).toBe(1);
    await until(() => w.got.ended || w.got.broken, "the reset");
    expect(proxy.watchStreams("pg1")).toEqual([]);
    expect(notices.find((n) => n.action === "cancel")?.text).toMatch(/canceled \(compact_revision 42, stream at revision 42\): the stream stays open/);
    expect(notices.find((n) => n.action === "stream-close")?.text).toMatch(/closed by the proxy \(reset\).*it had been canceled \(1 events in 1 messages not delivered since\)/);
  });

  test("a stream opened after the cancel is not affected", async () => {
    const { etcd, proxy, address } = await setup();
    expect(proxy.cancelWatch("pg1", 3).streams).toEqual([]);
    const w = openWatch(address);
    cleanup.push(() => void w.req.destroy());
    await until(() => etcd.watches.length === 1, "the watch to reach etcd");
    etcd.watches[0].write('{"result":{"header":{"revision":"9"},"created":true}}\n');
    await until(() => w.got.text.includes("created"), "the created message");
  });
});
