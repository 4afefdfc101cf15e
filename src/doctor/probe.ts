import { connect, isIP } from "node:net";
import type { ClockSample, HttpProbe, TcpProbe } from "./model.js";
import { type AddressMap, hostPort, routeUrl } from "./resolve.js";
import { errorText } from "../util/errors.js";
import { httpRequest, type TlsOptions } from "../clients/http.js";

/** How the doctor speaks to one kind of server: TLS, and headers (a token, basic auth). */
export interface ProbeAccess {
  tls?: Omit<TlsOptions, "servername">;
  headers?: Record<string, string>;
}
import { sleep } from "../util/time.js";

/** One HTTP request through the address map; never throws (the error is in the probe). */
export async function httpProbe(
  map: AddressMap,
  url: string,
  opts: { method?: string; body?: unknown; timeoutMs?: number; access?: ProbeAccess } = {},
): Promise<HttpProbe> {
  const r = routeUrl(map, url, url.startsWith("https:") ? 443 : 80);
  const tStart = Date.now();
  const probe: HttpProbe = { url, ...(r.mapped ? { via: r.url } : {}), tStart, tEnd: tStart };
  // A routed address is verified against the advertised name, as curl --resolve does.
  const advertised = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  const tls = url.startsWith("https:") ? { ...opts.access?.tls, ...(r.mapped && !isIP(advertised) ? { servername: advertised } : {}) } : undefined;
  try {
    const res = await httpRequest(r.url, { method: opts.method, body: opts.body, timeoutMs: opts.timeoutMs ?? 2000, headers: opts.access?.headers, tls });
    const text = res.text;
    probe.tEnd = Date.now();
    probe.status = res.status;
    const date = res.headers.get("date");
    if (date) probe.date = date;
    try {
      probe.body = JSON.parse(text);
    } catch {
      if (text) probe.body = text.slice(0, 500);
    }
  } catch (e) {
    probe.tEnd = Date.now();
    probe.error = errorText(e).replace(/^TimeoutError: /, "");
    if (/aborted due to timeout/i.test(probe.error)) probe.error = `no answer within ${opts.timeoutMs ?? 2000} ms`;
  }
  return probe;
}

/** TCP connect to an advertised host:port through the address map; never throws. */
export function tcpProbe(map: AddressMap, host: string, port: number, timeoutMs = 2000): Promise<TcpProbe> {
  const r = map.route(host, port);
  const t0 = Date.now();
  const base: TcpProbe = { host, port, ...(r.mapped ? { via: `${r.host}:${r.port}` } : {}), ok: false, ms: 0 };
  return new Promise((resolve) => {
    const s = connect({ host: r.host, port: r.port });
    const done = (ok: boolean, error?: string) => {
      s.destroy();
      clearTimeout(timer);
      resolve({ ...base, ok, ms: Date.now() - t0, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => done(false, `no connection within ${timeoutMs} ms`), timeoutMs);
    s.once("connect", () => done(true));
    s.once("error", (e) => done(false, errorText(e)));
  });
}

/** TCP connect to a URL's host:port. */
export function tcpProbeUrl(map: AddressMap, url: string, defaultPort: number, timeoutMs = 2000): Promise<TcpProbe> {
  const { host, port } = hostPort(url, defaultPort);
  return tcpProbe(map, host, port, timeoutMs);
}

/**
 * `Date` headers from `n` requests spread over one second (so their whole-second rounding falls
 * at different fractions), for a clock offset with sub-second bounds.
 */
export async function clockSamples(map: AddressMap, url: string, n = 4, timeoutMs = 1500, access?: ProbeAccess): Promise<ClockSample[]> {
  const out: ClockSample[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      await sleep((i * 1000) / n);
      const p = await httpProbe(map, url, { timeoutMs, access });
      if (p.date && p.status !== undefined) out.push({ tStart: p.tStart, tEnd: p.tEnd, date: p.date });
    }),
  );
  return out.sort((a, b) => a.tStart - b.tStart);
}
