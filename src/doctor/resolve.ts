import { isIP } from "node:net";
import { lookup } from "node:dns/promises";

/**
 * Where the doctor connects for an address a cluster advertises. Advertised URLs name hosts as
 * the cluster's members know them (pg1:8008 in the lab, which the host cannot resolve; a VIP;
 * a private name): `--resolve` maps them, and the lab builds the mapping itself.
 */
export interface AddressMap {
  /** The host:port to connect to for an advertised host:port. */
  route(host: string, port: number): { host: string; port: number; mapped: boolean };
  /** The IP address an advertised host name stands for, when the map knows it (no DNS). */
  addressOf(host: string): string | undefined;
}

export const identityMap: AddressMap = { route: (host, port) => ({ host, port, mapped: false }), addressOf: () => undefined };

/**
 * `--resolve` specs, each `NAME:PORT=HOST:PORT` (that one address, e.g. pg1:8008=127.0.0.1:32770)
 * or `NAME=HOST` (every port of NAME, e.g. pg1=10.0.0.5). A later spec for the same address
 * wins. Throws on a malformed spec.
 */
export function parseResolve(specs: readonly string[]): AddressMap {
  const exact = new Map<string, { host: string; port: number }>();
  const hosts = new Map<string, string>();
  for (const spec of specs) {
    const m = /^([^=\s:]+)(?::(\d+))?=([^=\s]+?)(?::(\d+))?$/.exec(spec.trim());
    if (!m) throw new Error(`--resolve ${spec}: expected NAME:PORT=HOST:PORT or NAME=HOST`);
    const [, name, port, host, toPort] = m;
    if (port && toPort) exact.set(`${name.toLowerCase()}:${Number(port)}`, { host: unbracket(host), port: Number(toPort) });
    else if (!port && !toPort) hosts.set(name.toLowerCase(), unbracket(host));
    else throw new Error(`--resolve ${spec}: give a port on both sides (NAME:PORT=HOST:PORT) or on neither (NAME=HOST)`);
  }
  return {
    route(host, port) {
      const e = exact.get(`${host.toLowerCase()}:${port}`);
      if (e) return { ...e, mapped: true };
      const h = hosts.get(host.toLowerCase());
      return h ? { host: h, port, mapped: true } : { host, port, mapped: false };
    },
    addressOf(host) {
      const h = hosts.get(host.toLowerCase());
      return h && isIP(h) ? h : undefined;
    },
  };
}

const unbracket = (h: string) => h.replace(/^\[(.*)\]$/, "$1");

/** The IP an advertised host stands for: the map's, an IP literal, or DNS from here (undefined when unknown). */
export async function addressOf(map: AddressMap, host: string): Promise<string | undefined> {
  const h = unbracket(host);
  const known = map.addressOf(h);
  if (known) return known;
  if (isIP(h)) return h;
  if (map.route(h, 0).mapped) return undefined;
  try {
    return (await lookup(h)).address;
  } catch {
    return undefined;
  }
}

/** host and port of a URL (default port by scheme). */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: unbracket(u.hostname), port: u.port ? Number(u.port) : defaultPort };
}

/** The URL with its host:port replaced by where the map routes it. */
export function routeUrl(map: AddressMap, url: string, defaultPort: number): { url: string; mapped: boolean } {
  const u = new URL(url);
  const { host, port } = hostPort(url, defaultPort);
  const r = map.route(host, port);
  if (!r.mapped) return { url, mapped: false };
  u.hostname = isIP(r.host) === 6 ? `[${r.host}]` : r.host;
  u.port = String(r.port);
  return { url: u.toString(), mapped: true };
}
