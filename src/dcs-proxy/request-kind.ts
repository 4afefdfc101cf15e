/**
 * The etcd v3 HTTP (gRPC-gateway) requests a Patroni node makes, by kind. Patroni 3.0.2's etcd3
 * DCS speaks JSON over HTTP/1.1 to `/v3` (`/v3beta`, `/v3alpha` on older clusters):
 *
 * | kind              | path                     | Patroni uses it for                              |
 * |-------------------|--------------------------|--------------------------------------------------|
 * | `watch`           | POST /v3/watch           | the long-lived stream that feeds its KVCache     |
 * | `range`           | POST /v3/kv/range        | building the cache, patronictl reads             |
 * | `put`             | POST /v3/kv/put          | member key, /status, /history, /failsafe         |
 * | `txn`             | POST /v3/kv/txn          | leader key (create / compare-and-swap), failover |
 * | `delete`          | POST /v3/kv/deleterange  | releasing the leader key, removing keys          |
 * | `lease-grant`     | POST /v3/lease/grant     | a new session (TTL) lease                        |
 * | `lease-keepalive` | POST /v3/lease/keepalive | refreshing the lease every loop                  |
 * | `other`           | anything else            | GET /version, /v3/cluster/member/list, auth, ... |
 */
export const REQUEST_KINDS = ["watch", "range", "put", "txn", "delete", "lease-grant", "lease-keepalive", "other"] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

const BY_METHOD: Record<string, RequestKind> = {
  watch: "watch",
  "kv/range": "range",
  "kv/put": "put",
  "kv/txn": "txn",
  "kv/deleterange": "delete",
  "lease/grant": "lease-grant",
  "lease/keepalive": "lease-keepalive",
};

/** The kind of one request, from its path (query string ignored). */
export function requestKind(path: string | undefined): RequestKind {
  const p = (path ?? "").split("?")[0];
  const m = /^\/v3(?:alpha|beta)?\/(.+?)\/?$/.exec(p);
  return (m && BY_METHOD[m[1]]) || "other";
}
