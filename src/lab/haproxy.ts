import type { Lab } from "./lab-api.js";
import type { PgTarget } from "../clients/pg.js";
import { httpJson } from "../clients/http.js";
import {
  HAPROXY_NODE,
  HAPROXY_PRIMARY_BACKEND,
  HAPROXY_PRIMARY_PORT,
  HAPROXY_REPLICA_BACKEND,
  HAPROXY_REPLICA_PORT,
  HAPROXY_STATS_PORT,
} from "./haproxy-config.js";
import { errorText } from "../util/errors.js";
import { sleep } from "../util/time.js";

export interface HaproxyRoutes {
  /** Servers HAProxy routes to (status UP, including "UP 1/2" = UP with one failed check). */
  primary: string[];
  replicas: string[];
  /** Servers in a transitional or special state ("UP 1/2", "DOWN 1/2", "MAINT", "no check"), by backend/server. */
  transitions: Record<string, string>;
}

export function hasHaproxy(lab: Lab): boolean {
  return lab.nodes.some((n) => n.kind === "haproxy");
}

/** The HAProxy port for writes (`primary`) or reads (`replicas`) as the harness reaches it. */
export function haproxyTarget(lab: Lab, role: "primary" | "replicas" = "primary"): PgTarget {
  const { host, port } = lab.node(HAPROXY_NODE).endpoint(role === "primary" ? HAPROXY_PRIMARY_PORT : HAPROXY_REPLICA_PORT);
  return { host, port, password: lab.secrets.superuserPassword };
}

/**
 * Which servers each backend considers UP, from HAProxy's CSV statistics (`/;csv`): a header
 * line `# pxname,svname,...,status,...`, then one line per frontend, server and backend.
 */
export function parseHaproxyCsv(text: string): HaproxyRoutes {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines.find((l) => l.startsWith("# "));
  if (!header) throw new Error(`not HAProxy CSV statistics: ${text.slice(0, 80)}`);
  const cols = header.slice(2).split(",");
  const px = cols.indexOf("pxname");
  const sv = cols.indexOf("svname");
  const st = cols.indexOf("status");
  if (px < 0 || sv < 0 || st < 0) throw new Error("HAProxy CSV statistics without pxname/svname/status");
  const out: HaproxyRoutes = { primary: [], replicas: [], transitions: {} };
  for (const l of lines) {
    if (l.startsWith("#")) continue;
    const f = l.split(",");
    const backend = f[px];
    const server = f[sv];
    const status = f[st] ?? "";
    if (server === "FRONTEND" || server === "BACKEND") continue;
    const list = backend === HAPROXY_PRIMARY_BACKEND ? out.primary : backend === HAPROXY_REPLICA_BACKEND ? out.replicas : undefined;
    if (!list) continue;
    if (/^UP\b/.test(status)) list.push(server);
    if (status !== "UP" && status !== "DOWN") out.transitions[`${backend}/${server}`] = status;
  }
  out.primary.sort();
  out.replicas.sort();
  return out;
}

/** Reads HAProxy's statistics page through its mapped port. */
export async function readHaproxyRoutes(lab: Lab, timeoutMs = 1000): Promise<HaproxyRoutes> {
  const { host, port } = lab.node(HAPROXY_NODE).endpoint(HAPROXY_STATS_PORT);
  const r = await httpJson(`http://${host}:${port}/;csv;norefresh`, { timeoutMs });
  if (r.status !== 200) throw new Error(`HAProxy statistics answered ${r.status}`);
  return parseHaproxyCsv(r.text);
}

/**
 * Waits until HAProxy routes its primary port to exactly `leader` (its checks need `rise 2`
 * successes, about 2 s after start), so the workload does not start against an empty backend.
 */
export async function waitHaproxyPrimary(lab: Lab, leader: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<number> {
  const t0 = performance.now();
  let last = "no answer";
  while (performance.now() - t0 < timeoutMs) {
    signal?.throwIfAborted();
    try {
      const r = await readHaproxyRoutes(lab);
      if (r.primary.length === 1 && r.primary[0] === leader) return performance.now() - t0;
      last = `primary backend UP: [${r.primary.join(", ")}]`;
    } catch (e) {
      last = errorText(e);
    }
    await sleep(250, signal);
  }
  throw new Error(`HAProxy did not route its primary port to ${leader} within ${timeoutMs / 1000} s (${last})`);
}
