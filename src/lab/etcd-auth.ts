import { httpJson, type TlsOptions } from "../clients/http.js";
import { prefixEnd } from "../clients/etcd-http.js";
import { ETCD_PATRONI_USER } from "./patroni-config.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");

/** The etcd user the harness authenticates as (topology.security.auth). */
export const ETCD_ROOT_USER = "root";

/**
 * Turns on etcd v3 authentication (topology.security.auth) through one member's JSON gateway,
 * the requests `etcdctl user add / role grant-permission / auth enable` make: root (the
 * harness's user), a `patroni` role with read-write on the cluster's own prefix only, and a
 * `patroni` user holding it. Passwords travel in request bodies, never in a process's arguments.
 * Needs a quorum; the steps are idempotent on a retry only until auth is on.
 */
export async function enableEtcdAuth(o: { baseUrl: string; tls?: TlsOptions; prefix: string; rootPassword: string; patroniPassword: string; timeoutMs?: number }): Promise<void> {
  const post = async (path: string, body: unknown, what: string) => {
    const r = await httpJson<{ message?: string; error?: string }>(`${o.baseUrl}${path}`, { method: "POST", body, timeoutMs: o.timeoutMs ?? 5000, tls: o.tls });
    if (r.status !== 200) throw new Error(`etcd auth setup: ${what}: HTTP ${r.status} ${r.body?.message ?? r.body?.error ?? r.text.slice(0, 200)}`);
  };
  await post("/v3/auth/user/add", { name: ETCD_ROOT_USER, password: o.rootPassword }, "add user root");
  await post("/v3/auth/user/grant", { user: ETCD_ROOT_USER, role: "root" }, "grant root the root role");
  await post("/v3/auth/role/add", { name: ETCD_PATRONI_USER }, "add role patroni");
  await post(
    "/v3/auth/role/grant",
    { name: ETCD_PATRONI_USER, perm: { permType: "READWRITE", key: b64(o.prefix), range_end: b64(prefixEnd(o.prefix)) } },
    `grant role patroni read-write on ${o.prefix}`,
  );
  await post("/v3/auth/user/add", { name: ETCD_PATRONI_USER, password: o.patroniPassword }, "add user patroni");
  await post("/v3/auth/user/grant", { user: ETCD_PATRONI_USER, role: ETCD_PATRONI_USER }, "grant user patroni the patroni role");
  await post("/v3/auth/enable", {}, "enable authentication");
}
