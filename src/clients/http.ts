/** Small HTTP helpers with a hard timeout on every request. */
import http from "node:http";
import https from "node:https";

export interface HttpResult<T = unknown> {
  status: number;
  body: T | undefined;
  text: string;
  ms: number;
}

/**
 * How to speak TLS to one server: the CA that signed its certificate, the client certificate
 * and key when it asks for one (etcd's --client-cert-auth), and the name to verify its
 * certificate against when the address connected to is not that name (a mapped port reached as
 * 127.0.0.1, like curl's --resolve).
 */
export interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface RawHttpOptions {
  method?: string;
  body?: unknown;
  timeoutMs?: number;
  headers?: Record<string, string>;
  tls?: TlsOptions;
}

/** One request; the answer's status, text and headers. Throws on a network error or timeout. */
export async function httpRequest(url: string, opts: RawHttpOptions = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const timeoutMs = opts.timeoutMs ?? 2000;
  const method = opts.method ?? "GET";
  const tls = url.startsWith("https:") ? (opts.tls ?? {}) : undefined;
  try {
    return await nodeRequest(url, method, headers, body, timeoutMs, tls);
  } catch (e) {
    // A kept connection the server closed while it sat idle fails at once with ECONNRESET (or
    // "socket hang up") on reuse; that says nothing about the server, so the request is sent once
    // more on a fresh connection. A timeout is never retried: it is the answer.
    if (e instanceof StaleSocketError) return nodeRequest(url, method, headers, body, timeoutMs, tls);
    throw e;
  }
}

class StaleSocketError extends Error {}

/**
 * Kept connections, one pool per TLS identity (plain HTTP: one). The recorder asks the same few
 * servers several times a second: etcd keeps an HTTP/1.1 connection open, so each poll costs one
 * request instead of a TCP connect (and, with TLS, a handshake). Patroni's REST server answers
 * HTTP/1.0 and closes every connection; for it the pool only holds TLS sessions for resumption.
 * A request that times out destroys its socket, so a connection held across a partition is never
 * asked again; an idle one is closed after IDLE_SOCKET_MS, well before etcd's own idle limit.
 */
const IDLE_SOCKET_MS = 15_000;
/** How long a request with a longer budget waits for its TCP connection (nodeRequest says why). */
const CONNECT_TIMEOUT_MS = 3000;
let plainAgent: http.Agent | undefined;
const tlsAgents = new Map<string, https.Agent>();
function agentFor(tls: TlsOptions | undefined): http.Agent {
  if (!tls) return (plainAgent ??= new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }));
  const key = JSON.stringify([tls.ca, tls.cert, tls.key, tls.servername]);
  let agent = tlsAgents.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS, maxCachedSessions: 100 });
    tlsAgents.set(key, agent);
  }
  return agent;
}

function nodeRequest(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, tls: TlsOptions | undefined) {
  return new Promise<{ status: number; text: string; headers: Headers }>((resolve, reject) => {
    const options: https.RequestOptions = { method, headers, agent: agentFor(tls) };
    if (tls) Object.assign(options, { ca: tls.ca, cert: tls.cert, key: tls.key, ...(tls.servername ? { servername: tls.servername } : {}) });
    const req = (tls ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: h });
      });
    });
    // The error fetch gives on its AbortSignal.timeout, so callers (doctor's probe) read both alike.
    const timer = setTimeout(() => req.destroy(new DOMException("The operation was aborted due to timeout", "TimeoutError")), timeoutMs);
    // A stopped lab container's address is gone from its network: a connection to it is not
    // refused, it waits on ARP and SYN retries for half a minute or more. Reached through a
    // published port it was refused at once; a long request (a failover's 90 s) must not wait
    // that out either. A live server on the lab network answers a SYN in well under a millisecond.
    let connectTimer: NodeJS.Timeout | undefined;
    if (timeoutMs > CONNECT_TIMEOUT_MS) {
      req.on("socket", (sock) => {
        if (!sock.connecting) return;
        connectTimer = setTimeout(() => req.destroy(new Error(`no connection within ${CONNECT_TIMEOUT_MS / 1000} s (${new URL(url).host} does not answer)`)), CONNECT_TIMEOUT_MS);
        sock.once("connect", () => clearTimeout(connectTimer));
      });
    }
    req.on("close", () => {
      clearTimeout(timer);
      clearTimeout(connectTimer);
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      const stale = req.reusedSocket && (e.code === "ECONNRESET" || e.message === "socket hang up");
      reject(stale ? new StaleSocketError(e.message) : e);
    });
    req.end(body);
  });
}

export async function httpJson<T = unknown>(
  url: string,
  opts: RawHttpOptions & { auth?: { username: string; password: string } } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth) headers.authorization = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`;
  const t0 = performance.now();
  const res = await httpRequest(url, { ...opts, headers });
  let body: T | undefined;
  try {
    body = JSON.parse(res.text) as T;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text: res.text, ms: performance.now() - t0 };
}
