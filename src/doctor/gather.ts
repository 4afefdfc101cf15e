import type { DcsRead, EtcdProbe, HttpProbe, MemberKey, MemberProbe, Snapshot } from "./model.js";
import { type AddressMap, addressOf, hostPort } from "./resolve.js";
import { clockSamples, httpProbe, tcpProbe, tcpProbeUrl, type ProbeAccess } from "./probe.js";
import { prefixEnd } from "../clients/etcd-http.js";

/** What to examine: etcd endpoints, the cluster's scope, and how to reach advertised addresses. */
export interface DoctorTarget {
  /** etcd client URLs (http://host:2379). */
  etcd: string[];
  /** Patroni scope; found in the DCS when there is exactly one cluster under the namespace. */
  scope?: string;
  /** DCS namespace, default /service/. */
  namespace?: string;
  map: AddressMap;
  /** Extra Patroni REST URLs to examine (e.g. the addresses you believe are the nodes'). */
  patroni?: string[];
  /**
   * How to reach etcd on a cluster with TLS and authentication (--etcd-cacert, --etcd-cert,
   * --etcd-key; --etcd-user with a password, or a token).
   */
  etcdAccess?: { tls?: ProbeAccess["tls"]; auth?: { username: string; password: string } | { token: string } };
  /** How to reach Patroni's REST APIs: https with a CA (--patroni-cacert), basic auth (--patroni-user). */
  patroniAccess?: ProbeAccess;
  /** Per-request timeout, default 2000 ms: an etcd member that cannot serve a linearizable read within it is half-healthy. */
  timeoutMs?: number;
}

/** The doctor cannot start: no etcd answered, no or several clusters (exit code 2). */
export class DoctorInputError extends Error {}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : "");
const trimSlash = (u: string) => u.replace(/\/+$/, "");

/** Reads the DCS and asks every advertised address; read-only, never changes the cluster. */
export async function gather(t: DoctorTarget): Promise<Snapshot> {
  const timeoutMs = t.timeoutMs ?? 2000;
  const namespace = normaliseNamespace(t.namespace ?? "/service/");
  const takenAt = Date.now();
  const endpoints = t.etcd.map(trimSlash);
  if (!endpoints.length) throw new DoctorInputError("no etcd endpoint given (--etcd http://host:2379[,...])");

  const access = await etcdAccessByUrl(t, endpoints, timeoutMs);
  const etcd = await Promise.all(endpoints.map((url) => probeEtcd(t.map, url, namespace, timeoutMs, access.get(url))));
  const answering = etcd.filter((e) => e.linearizable.status === 200);
  const dcsErrors: string[] = [];
  let scope = t.scope;
  let dcs: DcsRead | undefined;
  for (const e of answering) {
    try {
      if (!scope) scope = await findScope(t.map, e.url, namespace, timeoutMs, access.get(e.url));
      dcs = await readDcs(t.map, e.url, namespace, scope, Math.max(timeoutMs, 3000), access.get(e.url));
      break;
    } catch (err) {
      if (err instanceof DoctorInputError) throw err;
      dcsErrors.push(`${e.url}: ${(err as Error).message}`);
    }
  }
  if (!dcs) {
    const why = etcd.map((e) => `${e.url}: ${e.linearizable.error ?? (e.linearizable.status !== undefined ? `HTTP ${e.linearizable.status}${answerText(e.linearizable.body)}` : "no answer")}`);
    throw new DoctorInputError(`no etcd endpoint served a linearizable read of the DCS (${[...why, ...dcsErrors].join("; ")})${accessHint([...why, ...dcsErrors].join(" "))}`);
  }

  const members = await Promise.all(Object.entries(dcs.members).map(([name, key]) => probeMember(t.map, name, key, timeoutMs, t.patroniAccess)));
  const patroni = await Promise.all(
    (t.patroni ?? []).map(async (u) => {
      const url = `${trimSlash(u)}/patroni`;
      const [p, clock] = await Promise.all([httpProbe(t.map, url, { timeoutMs, access: t.patroniAccess }), clockSamples(t.map, url, 3, timeoutMs, t.patroniAccess)]);
      return { ...p, clock };
    }),
  );
  return { version: 1, takenAt, scope: scope!, namespace, etcd, dcs, ...(dcsErrors.length ? { dcsErrors } : {}), members, ...(patroni.length ? { patroni } : {}) };
}

/** The message of an etcd error answer (`{"error": ..., "message": ...}`), for a reader. */
function answerText(body: unknown): string {
  const b = body as { message?: string; error?: string } | string | undefined;
  const m = typeof b === "string" ? b : (b?.message ?? b?.error);
  return m ? ` ${String(m).trim().slice(0, 200)}` : "";
}

/** What to give when a read failed for want of a CA, a client certificate or credentials. */
function accessHint(why: string): string {
  if (/self.signed|unable to (verify|get local issuer)|certificate/i.test(why) && !/CommonName/.test(why)) return " (an https endpoint with a private CA: give it with --etcd-cacert, and a client certificate with --etcd-cert/--etcd-key if etcd asks for one)";
  if (/CommonName of client/.test(why)) return " (etcd refuses, through its JSON gateway, a client certificate that carries a CommonName once authentication is on: use one without a CN, and --etcd-user)";
  if (/user name is empty|invalid auth token|permission denied/i.test(why)) return " (etcd has authentication on: give --etcd-user with PGCHAOS_ETCD_PASSWORD or --etcd-password-file, or a token; the user needs read access to the scope's prefix, or give --scope)";
  if (/socket hang up|ECONNRESET|wrong version number|sent an HTTP request to an HTTPS server/i.test(why)) return " (TLS mismatch: use https:// URLs for an etcd with TLS, with --etcd-cacert, and --etcd-cert/--etcd-key for --client-cert-auth)";
  return "";
}

/**
 * The headers each etcd endpoint is asked with: a given token as is, or one got with the user
 * and password from that endpoint (etcd's default simple tokens are valid on the member that
 * issued them only). An endpoint that refuses the login is probed without one (its failed
 * reads say why); when every endpoint refuses, the doctor cannot start.
 */
async function etcdAccessByUrl(t: DoctorTarget, endpoints: string[], timeoutMs: number): Promise<Map<string, ProbeAccess>> {
  const tls = t.etcdAccess?.tls;
  const auth = t.etcdAccess?.auth;
  const out = new Map<string, ProbeAccess>(endpoints.map((u) => [u, { tls }]));
  if (!auth) return out;
  if ("token" in auth) {
    for (const u of endpoints) out.set(u, { tls, headers: { authorization: auth.token } });
    return out;
  }
  const refused: string[] = [];
  await Promise.all(
    endpoints.map(async (u) => {
      const p = await httpProbe(t.map, `${u}/v3/auth/authenticate`, { method: "POST", body: { name: auth.username, password: auth.password }, timeoutMs, access: { tls } });
      const token = (p.body as { token?: string } | undefined)?.token;
      if (p.status === 200 && token) out.set(u, { tls, headers: { authorization: token } });
      else refused.push(`${u}: ${p.error ?? `HTTP ${p.status}${answerText(p.body)}`}`);
    }),
  );
  if (refused.length === endpoints.length) {
    const why = refused.join("; ");
    throw new DoctorInputError(`etcd authentication as ${auth.username} failed on every endpoint (${why})${accessHint(why)}`);
  }
  return out;
}

export function normaliseNamespace(ns: string): string {
  return `/${ns.replace(/^\/+|\/+$/g, "")}/`.replace(/^\/\/$/, "/");
}

async function probeEtcd(map: AddressMap, url: string, namespace: string, timeoutMs: number, access?: ProbeAccess): Promise<EtcdProbe> {
  const read = (serializable: boolean) =>
    httpProbe(map, `${url}/v3/kv/range`, {
      method: "POST",
      body: { key: b64(namespace), range_end: b64(prefixEnd(namespace)), limit: 1, keys_only: true, serializable },
      timeoutMs,
      access,
    });
  const [tcp, health, linearizable, serializable, status, clock] = await Promise.all([
    tcpProbeUrl(map, url, 2379, timeoutMs),
    httpProbe(map, `${url}/health`, { timeoutMs, access }),
    read(false),
    read(true),
    httpProbe(map, `${url}/v3/maintenance/status`, { method: "POST", body: {}, timeoutMs, access }),
    clockSamples(map, `${url}/version`, 4, timeoutMs, access),
  ]);
  return { url, tcp, health, linearizable, serializable, status, clock };
}

async function range(map: AddressMap, url: string, prefix: string, timeoutMs: number, keysOnly: boolean, access: ProbeAccess | undefined) {
  const p = await httpProbe(map, `${url}/v3/kv/range`, {
    method: "POST",
    body: { key: b64(prefix), range_end: b64(prefixEnd(prefix)), keys_only: keysOnly },
    timeoutMs,
    access,
  });
  if (p.status !== 200) throw new Error(p.error ?? `HTTP ${p.status} ${JSON.stringify(p.body).slice(0, 200)}`);
  const kvs = ((p.body as { kvs?: { key: string; value?: string }[] }).kvs ?? []).map((kv) => ({ key: unb64(kv.key), value: unb64(kv.value) }));
  return { kvs, at: p.tEnd };
}

async function findScope(map: AddressMap, url: string, namespace: string, timeoutMs: number, access: ProbeAccess | undefined): Promise<string> {
  const { kvs } = await range(map, url, namespace, timeoutMs, true, access);
  const scopes = [...new Set(kvs.map((kv) => kv.key.slice(namespace.length).split("/")[0]).filter(Boolean))].sort();
  if (scopes.length === 1) return scopes[0];
  if (!scopes.length) throw new DoctorInputError(`no Patroni cluster under ${namespace} in etcd (wrong --namespace?)`);
  throw new DoctorInputError(`several clusters under ${namespace}: ${scopes.join(", ")}; choose one with --scope`);
}

async function readDcs(map: AddressMap, url: string, namespace: string, scope: string, timeoutMs: number, access: ProbeAccess | undefined): Promise<DcsRead> {
  const prefix = `${namespace}${scope}/`;
  const [{ kvs, at }, memberList] = await Promise.all([
    range(map, url, prefix, timeoutMs, false, access),
    httpProbe(map, `${url}/v3/cluster/member/list`, { method: "POST", body: {}, timeoutMs, access }),
  ]);
  if (!kvs.length) throw new DoctorInputError(`no keys under ${prefix} (wrong --scope or --namespace?)`);
  const json = (v: string): unknown => {
    try {
      return JSON.parse(v);
    } catch {
      return undefined;
    }
  };
  const dcs: DcsRead = { from: url, at, leader: null, members: {} };
  for (const kv of kvs) {
    const rel = kv.key.slice(prefix.length);
    if (rel === "leader") dcs.leader = kv.value;
    else if (rel.startsWith("members/")) dcs.members[rel.slice(8)] = (json(kv.value) as MemberKey) ?? {};
    else if (rel === "config") dcs.config = json(kv.value) as Record<string, unknown>;
    else if (rel === "status") dcs.status = json(kv.value) as DcsRead["status"];
    else if (rel === "optime/leader") dcs.optimeLeader = Number(kv.value);
    else if (rel === "initialize") dcs.initialize = kv.value;
    else if (rel === "failsafe") dcs.failsafe = json(kv.value) as Record<string, string>;
  }
  const ml = memberList.body as { members?: { name?: string; clientURLs?: string[] }[] } | undefined;
  if (memberList.status === 200 && ml?.members) dcs.etcdMembers = ml.members.map((m) => ({ name: m.name ?? "", clientURLs: m.clientURLs ?? [] }));
  return dcs;
}

async function probeMember(map: AddressMap, name: string, key: MemberKey, timeoutMs: number, access: ProbeAccess | undefined): Promise<MemberProbe> {
  const out: MemberProbe = { name, key, clock: [] };
  const tasks: Promise<unknown>[] = [];
  if (typeof key.api_url === "string" && key.api_url) {
    const api = key.api_url;
    tasks.push(httpProbe(map, api, { timeoutMs, access }).then((p: HttpProbe) => (out.api = p)));
    tasks.push(clockSamples(map, api, 3, timeoutMs, access).then((c) => (out.clock = c)));
    tasks.push(addressOf(map, hostPort(api, 80).host).then((a) => a && (out.apiHostAddress = a)));
  }
  if (typeof key.conn_url === "string" && key.conn_url) {
    const { host, port } = hostPort(key.conn_url, 5432);
    tasks.push(tcpProbe(map, host, port, timeoutMs).then((c) => (out.conn = c)));
    tasks.push(addressOf(map, host).then((a) => a && (out.connHostAddress = a)));
  }
  await Promise.all(tasks);
  return out;
}
