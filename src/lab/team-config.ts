import { deepMerge, type Plain } from "./deep-merge.js";

/**
 * A team's own patroni.yml (run --patroni-config, the scenario's patroni_config:) merged into
 * pgchaos's generated one. pgchaos keeps what the lab and its clients depend on; everything else
 * is the team's. Each kept key says why, and the report lists the ones the team's file set.
 */
export const KEPT_KEYS: readonly { path: string; why: string }[] = [
  { path: "scope", why: "the lab's cluster name ties its DCS keys to this run" },
  { path: "namespace", why: "pgchaos reads the cluster's keys under its own namespace" },
  { path: "name", why: "member names are the lab's container names (pg1..pgN)" },
  { path: "restapi.listen", why: "pgchaos reaches the REST API on its own port" },
  { path: "restapi.connect_address", why: "the lab's addresses are container names (a fault may change it on purpose)" },
  { path: "restapi.authentication", why: "credentials are generated for each run" },
  { path: "restapi.certfile", why: "pgchaos's clients speak plain HTTP to the REST API" },
  { path: "restapi.keyfile", why: "pgchaos's clients speak plain HTTP to the REST API" },
  { path: "ctl", why: "patronictl uses the run's generated credentials" },
  { path: "etcd3", why: "the DCS is the lab's etcd (or pgchaos's DCS proxy in front of it)" },
  { path: "etcd", why: "the lab's DCS is etcd's v3 API (etcd3)" },
  { path: "consul", why: "the lab's DCS is etcd" },
  { path: "zookeeper", why: "the lab's DCS is etcd" },
  { path: "exhibitor", why: "the lab's DCS is etcd" },
  { path: "kubernetes", why: "the lab's DCS is etcd" },
  { path: "raft", why: "the lab's DCS is etcd" },
  { path: "log.format", why: "pgchaos reads Patroni's log lines in this format" },
  { path: "log.dir", why: "pgchaos records Patroni's log from the container's output" },
  { path: "bootstrap.dcs.ttl", why: "the scenario's patroni: settings are the timings its expectations are written for" },
  { path: "bootstrap.dcs.loop_wait", why: "the scenario's patroni: settings are the timings its expectations are written for" },
  { path: "bootstrap.dcs.retry_timeout", why: "the scenario's patroni: settings are the timings its expectations are written for" },
  { path: "bootstrap.dcs.failsafe_mode", why: "the scenario's patroni: settings decide it" },
  { path: "bootstrap.dcs.maximum_lag_on_failover", why: "the scenario's patroni: settings decide it" },
  { path: "bootstrap.dcs.synchronous_mode", why: "the scenario's patroni: settings decide it" },
  { path: "postgresql.listen", why: "pgchaos reaches PostgreSQL on its own port" },
  { path: "postgresql.connect_address", why: "the lab's addresses are container names" },
  { path: "postgresql.data_dir", why: "the image's data path (docs/image-contract.md)" },
  { path: "postgresql.bin_dir", why: "read from the image (its PostgreSQL binaries)" },
  { path: "postgresql.pgpass", why: "a path the postgres user can write in the lab" },
  { path: "postgresql.authentication", why: "credentials are generated for each run" },
  { path: "postgresql.pg_hba", why: "the workload and replication connect from the lab's network with the run's credentials" },
  { path: "postgresql.parameters.unix_socket_directories", why: "patronictl and the faults use the image's socket directory" },
];

export interface OverriddenKey {
  path: string;
  why: string;
}

const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

function get(o: Plain, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = o;
  for (const part of path.split(".")) {
    if (!isPlain(cur) || !Object.hasOwn(cur, part)) return { found: false };
    cur = cur[part];
  }
  return { found: true, value: cur };
}

/** Sets (or, with found=false, deletes) a dotted path in a plain-object tree that deepMerge made fresh copies of. */
function put(o: Plain, path: string, v: { found: boolean; value?: unknown }): void {
  const parts = path.split(".");
  let cur = o;
  for (const part of parts.slice(0, -1)) {
    if (!isPlain(cur[part])) {
      if (!v.found) return;
      cur[part] = {};
    } else cur[part] = { ...(cur[part] as Plain) };
    cur = cur[part] as Plain;
  }
  const last = parts[parts.length - 1];
  if (v.found) cur[last] = v.value;
  else delete cur[last];
}

/**
 * `base` (pgchaos's patroni.yml for one node) with the team's settings merged in and the kept
 * keys restored; `overridden` lists each kept key the team's settings set to something else.
 */
export function mergeTeamConfig(base: Plain, team: Plain): { config: Plain; overridden: OverriddenKey[] } {
  const config = deepMerge(base, team);
  const overridden: OverriddenKey[] = [];
  for (const k of KEPT_KEYS) {
    const theirs = get(team, k.path);
    if (!theirs.found) continue;
    const ours = get(base, k.path);
    if (JSON.stringify(theirs.value) !== JSON.stringify(ours.value)) overridden.push(k);
    put(config, k.path, ours);
  }
  return { config, overridden };
}

/** The kept keys a team's settings touch (what progress and the report say), without a node's config. */
export function describeOverrides(overridden: readonly OverriddenKey[]): string[] {
  return overridden.map((o) => `${o.path} (kept: ${o.why})`);
}
