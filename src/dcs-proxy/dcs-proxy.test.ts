import { describe, expect, test } from "vitest";
import { requestKind } from "./request-kind.js";
import { JsonMessageSplitter, describeWatchMessage } from "./watch-messages.js";
import { LeaderView, rangeCovers } from "./leader-view.js";
import { describeToxic } from "./proxy.js";
import { summariseChanges } from "../faults/watch-stall/watch-stall.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

describe("requestKind", () => {
  test.each([
    ["/v3/watch", "watch"],
    ["/v3beta/watch", "watch"],
    ["/v3alpha/watch", "watch"],
    ["/v3/kv/range", "range"],
    ["/v3/kv/put", "put"],
    ["/v3/kv/txn", "txn"],
    ["/v3/kv/deleterange", "delete"],
    ["/v3/lease/grant", "lease-grant"],
    ["/v3/lease/keepalive", "lease-keepalive"],
    ["/v3/kv/range?x=1", "range"],
    ["/version", "other"],
    ["/v3/cluster/member/list", "other"],
    ["/v3/auth/authenticate", "other"],
    ["/health", "other"],
    [undefined, "other"],
  ])("%s is %s", (path, kind) => {
    expect(requestKind(path)).toBe(kind);
  });
});

describe("JsonMessageSplitter", () => {
  const a = '{"result":{"header":{"revision":"5"},"created":true}}\n';
  const b = '{"result":{"header":{"revision":"6"},"events":[{"kv":{"key":"' + b64("/k") + '","value":"' + b64('{"x":"}{"}') + '","mod_revision":"6"}}]}}\n';

  test("whole messages in one chunk, each with its delimiter", () => {
    const s = new JsonMessageSplitter();
    expect(s.push(a + b)).toEqual([a, b]);
    expect(s.rest()).toBe("");
  });

  test("a message cut anywhere, byte by byte, comes out whole and unchanged", () => {
    const s = new JsonMessageSplitter();
    const bytes = Buffer.from(a + b + a);
    const out: string[] = [];
    for (const byte of bytes) out.push(...s.push(Buffer.from([byte])));
    expect(out.join("")).toBe(a + b + a);
    // Delimiters arrive after their message, as pieces of their own.
    expect(out.filter((x) => x.trim())).toEqual([a.trim(), b.trim(), a.trim()]);
    expect(out.filter((x) => !x.trim())).toEqual(["\n", "\n", "\n"]);
  });

  test("braces and escaped quotes inside strings do not cut", () => {
    const m = '{"error":{"message":"a \\"}\\" b {","grpc_code":14}}';
    const s = new JsonMessageSplitter();
    expect(s.push(m.slice(0, 20))).toEqual([]);
    expect(s.push(m.slice(20) + "\r\n")).toEqual([m + "\r\n"]);
  });

  test("multi-byte UTF-8 split across chunks", () => {
    const m = '{"v":"Grüße €"}\n';
    const bytes = Buffer.from(m);
    const s = new JsonMessageSplitter();
    const out = [...s.push(bytes.subarray(0, 9)), ...s.push(bytes.subarray(9, 13)), ...s.push(bytes.subarray(13))];
    expect(out).toEqual([m]);
  });

  test("an unfinished message stays buffered and is returned by rest()", () => {
    const s = new JsonMessageSplitter();
    expect(s.push('{"result":{')).toEqual([]);
    expect(s.rest()).toBe('{"result":{');
  });
});

describe("describeWatchMessage", () => {
  test("events with keys, values, types and revisions", () => {
    const text = JSON.stringify({
      result: {
        header: { revision: "44" },
        events: [
          { kv: { key: b64("/service/c/leader"), value: b64("pg3"), mod_revision: "43" } },
          { type: "DELETE", kv: { key: b64("/service/c/members/pg1"), mod_revision: "44" } },
        ],
      },
    });
    expect(describeWatchMessage(text)).toEqual({
      events: [
        { type: "PUT", key: "/service/c/leader", value: "pg3", modRevision: 43 },
        { type: "DELETE", key: "/service/c/members/pg1", modRevision: 44 },
      ],
      created: false,
      canceled: false,
      revision: 44,
      header: { revision: "44" },
    });
  });
  test("created, in-stream error, garbage", () => {
    expect(describeWatchMessage('{"result":{"header":{"revision":"5"},"created":true}}')).toMatchObject({ created: true, events: [], revision: 5 });
    expect(describeWatchMessage('{"error":{"grpc_code":14,"message":"etcdserver: no leader"}}').error).toBe("etcdserver: no leader");
    expect(describeWatchMessage("nope").unparsed).toBe(true);
  });
});

describe("LeaderView", () => {
  const key = "/service/c/leader";
  test("range covering the key builds the view, watch events move it, older revisions are ignored", () => {
    const v = new LeaderView();
    expect(v.holder).toBeUndefined();
    const range = { key: b64("/service/c/"), range_end: b64("/service/c0") };
    expect(v.response(key, "range", range, { header: { revision: "10" }, kvs: [{ key: b64(key), value: b64("pg1"), mod_revision: "3" }] })).toBe(true);
    expect(v.holder).toBe("pg1");
    expect(v.event({ type: "DELETE", key, modRevision: 12 })).toBe(true);
    expect(v.holder).toBeNull();
    expect(v.event({ type: "PUT", key, modRevision: 9, value: "old" })).toBe(false);
    expect(v.holder).toBeNull();
    expect(v.event({ type: "PUT", key, modRevision: 13, value: "pg3" })).toBe(true);
    // A range elsewhere says nothing about the key.
    expect(v.response(key, "range", { key: b64("/other/") , range_end: b64("/other0") }, { header: { revision: "20" }, kvs: [] })).toBe(false);
    // A range covering it without it: no leader.
    expect(v.response(key, "range", range, { header: { revision: "21" }, kvs: [] })).toBe(true);
    expect(v.holder).toBeNull();
  });
  test("the node's own successful txn and put of the key count, failed ones do not", () => {
    const v = new LeaderView();
    const txn = { success: [{ request_put: { key: b64(key), value: b64("pg2") } }] };
    expect(v.response(key, "txn", txn, { header: { revision: "5" }, succeeded: false })).toBe(false);
    expect(v.response(key, "txn", txn, { header: { revision: "5" }, succeeded: true })).toBe(true);
    expect(v.holder).toBe("pg2");
    expect(v.response(key, "delete", { key: b64(key) }, { header: { revision: "6" } })).toBe(true);
    expect(v.holder).toBeNull();
    expect(v.response(key, "put", { key: b64(key), value: b64("pg1") }, { header: { revision: "7" } })).toBe(true);
    expect(v.holder).toBe("pg1");
  });
  test("rangeCovers follows etcd's range_end rules", () => {
    const t = Buffer.from("/a/b");
    expect(rangeCovers(t, Buffer.from("/a/b"), undefined)).toBe(true);
    expect(rangeCovers(t, Buffer.from("/a/"), Buffer.from("/a0"))).toBe(true);
    expect(rangeCovers(t, Buffer.from("/a/c"), Buffer.from("/a0"))).toBe(false);
    expect(rangeCovers(t, Buffer.from("/"), Buffer.from([0]))).toBe(true);
  });
});

test("describeToxic", () => {
  expect(describeToxic({ kinds: ["range", "put"], latencyMs: 200, jitterMs: 50 })).toBe("latency 200 ms ± 50 ms on range/put request");
  expect(describeToxic({ fault: "unavailable", probability: 0.5, members: ["e1"] })).toBe("unavailable (p=0.5) on every request to e1");
});

test("summariseChanges folds repeated keys and keeps leader changes in order", () => {
  const c = ["PUT /service/x/members/pg2", "PUT /service/x/status", "PUT /service/x/members/pg2", "DELETE /service/x/leader", "PUT /service/x/leader", "PUT /service/x/status"];
  expect(summariseChanges(c)).toBe("PUT members/pg2 x2, PUT status x2, DELETE leader, PUT leader");
});
