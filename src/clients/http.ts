/** Small HTTP helpers with a hard timeout on every request. */
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
  // Node's fetch cannot be given a CA or a client certificate without undici's own Agent, which
  // this project does not depend on; node:https can.
  // Every https URL goes this way, so a refused certificate is named ("self-signed certificate
  // in certificate chain") rather than fetch's bare "fetch failed".
  if (url.startsWith("https:")) return httpsRequest(url, opts.method ?? "GET", headers, body, timeoutMs, opts.tls ?? {});
  const res = await fetch(url, { method: opts.method ?? "GET", headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/**
 * One agent per TLS identity, for its session cache: Patroni's REST server answers HTTP/1.0 and
 * closes every connection, so each 200 ms sample is a new handshake. Resuming the session skips
 * the certificate work on both sides, which under two labs on 2 cores made samples time out.
 * Connections are not kept alive: a socket held across a partition would only add doubt.
 */
const tlsAgents = new Map<string, https.Agent>();
function tlsAgent(tls: TlsOptions): https.Agent {
  const key = JSON.stringify([tls.ca, tls.cert, tls.key, tls.servername]);
  let agent = tlsAgents.get(key);
  if (!agent) {
    agent = new https.Agent({ keepAlive: false, maxCachedSessions: 100 });
    tlsAgents.set(key, agent);
  }
  return agent;
}

function httpsRequest(url: string, method: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number, tls: TlsOptions) {
  return new Promise<{ status: number; text: string; headers: Headers }>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        headers,
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        ...(tls.servername ? { servername: tls.servername } : {}),
        agent: tlsAgent(tls),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), headers: h });
        });
      },
    );
    // The same error fetch gives on its AbortSignal.timeout, so callers read both alike.
    const timer = setTimeout(() => req.destroy(new DOMException("The operation was aborted due to timeout", "TimeoutError")), timeoutMs);
    req.on("close", () => clearTimeout(timer));
    req.on("error", reject);
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
