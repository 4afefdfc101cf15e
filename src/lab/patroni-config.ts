import type { ClusterSpec } from "./topology.js";
import { etcdNames } from "./topology.js";
import { ETCD_CLIENT_PORT } from "./etcd-command.js";
import { deepMerge, type Plain } from "./deep-merge.js";
import { mergeTeamConfig, type OverriddenKey } from "./team-config.js";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_CLIENT_CERT_PATH, TLS_CLIENT_KEY_PATH, TLS_KEY_PATH } from "./tls.js";

/** The etcd user Patroni authenticates as (topology.security.auth): read-write on its scope's keys only. */
export const ETCD_PATRONI_USER = "patroni";

export const PATRONI_REST_PORT = 8008;
export const PG_PORT = 5432;
export const PG_DATA_DIR = "/var/lib/postgresql/data";
export const PATRONI_CONFIG_PATH = "/etc/patroni/patroni.yml";

export interface PatroniSecrets {
  superuserPassword: string;
  replicationPassword: string;
  restapiPassword: string;
  /** etcd's `patroni` user (topology.security.auth). */
  etcdPatroniPassword?: string;
}

/**
 * patroni.yml for one node: a sane base (etcd3 DCS listing every member, or the node's DCS proxy
 * ports for them, fast checkpoints for basebackup, slots, pg_rewind) with the scenario's DCS settings, then a team's own
 * settings (spec.teamPatroniConfig, pgchaos's kept keys restored: team-config.ts), then the node's overrides merged over it.
 */
export function patroniConfig(
  spec: ClusterSpec,
  scope: string,
  node: string,
  secrets: PatroniSecrets,
  /** With the DCS proxy: the host:port that carries this node's traffic to an etcd member. */
  dcsProxy?: (member: string) => string,
): Plain {
  const override = spec.overrides[node] ?? {};
  const members = override.etcdHosts ?? etcdNames(spec);
  const hosts = members.map((e) => (dcsProxy ? dcsProxy(e) : `${e}:${ETCD_CLIENT_PORT}`));
  // use_proxies: Patroni takes `hosts` as the member list instead of asking etcd for its members'
  // client URLs, so it never bypasses the proxy.
  const etcd3: Plain = dcsProxy ? { hosts, use_proxies: true } : { hosts };
  const tls = spec.security?.tls;
  if (tls) Object.assign(etcd3, { protocol: "https", cacert: TLS_CA_PATH, cert: TLS_CLIENT_CERT_PATH, key: TLS_CLIENT_KEY_PATH });
  if (spec.security?.auth) {
    if (!secrets.etcdPatroniPassword) throw new Error("topology.security.auth: the lab's secrets carry no etcd password for Patroni");
    Object.assign(etcd3, { username: ETCD_PATRONI_USER, password: secrets.etcdPatroniPassword });
  }
  // https for the REST API: Patroni then advertises https:// api_urls, and its own requests to
  // other members, like patronictl's, trust the run's CA (ctl.cacert).
  const restTls: Plain = tls ? { certfile: TLS_CERT_PATH, keyfile: TLS_KEY_PATH, cafile: TLS_CA_PATH } : {};
  const ctlTls: Plain = tls ? { cacert: TLS_CA_PATH, certfile: TLS_CERT_PATH, keyfile: TLS_KEY_PATH } : {};
  const d = spec.dcs;
  const base: Plain = {
    scope,
    namespace: "/service/",
    name: node,
    log: { level: "INFO", format: "%(asctime)s %(levelname)s: %(message)s" },
    restapi: {
      listen: `0.0.0.0:${PATRONI_REST_PORT}`,
      connect_address: `${node}:${PATRONI_REST_PORT}`,
      authentication: { username: "pgchaos", password: secrets.restapiPassword },
      ...restTls,
    },
    ctl: { authentication: { username: "pgchaos", password: secrets.restapiPassword }, ...ctlTls },
    etcd3,
    bootstrap: {
      dcs: {
        ttl: d.ttl,
        loop_wait: d.loop_wait,
        retry_timeout: d.retry_timeout,
        maximum_lag_on_failover: d.maximum_lag_on_failover,
        failsafe_mode: d.failsafe_mode,
        // Patroni reads true/false (3.x and 4.x) and "quorum" (4.x).
        synchronous_mode: d.synchronous_mode === "quorum" ? "quorum" : d.synchronous_mode === "on",
        synchronous_mode_strict: d.synchronous_mode_strict,
        synchronous_node_count: d.synchronous_node_count,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: {
            wal_level: "replica",
            hot_standby: "on",
            wal_log_hints: "on",
            max_wal_senders: 10,
            max_replication_slots: 10,
            wal_keep_size: "128MB",
            ...d.postgresql_parameters,
          },
        },
      },
      // no-sync: a lab's data directory need not survive the host crashing, and fsyncing a new
      // cluster on overlayfs costs seconds of the lab's start-up.
      initdb: [{ encoding: "UTF8" }, "data-checksums", "no-sync"],
    },
    postgresql: {
      listen: `0.0.0.0:${PG_PORT}`,
      connect_address: `${node}:${PG_PORT}`,
      data_dir: PG_DATA_DIR,
      bin_dir: pgBinDir(spec),
      pgpass: "/tmp/pgpass",
      authentication: {
        superuser: { username: "postgres", password: secrets.superuserPassword },
        replication: { username: "replicator", password: secrets.replicationPassword },
        rewind: { username: "postgres", password: secrets.superuserPassword },
      },
      parameters: { unix_socket_directories: "/var/run/postgresql" },
      // A spread checkpoint after heavy writes stalled pg_basebackup: always checkpoint fast.
      // no-sync: as for initdb, the copy need not survive a host crash (containers dying keep it).
      basebackup: [{ checkpoint: "fast" }, "no-sync"],
      pg_hba: [
        "local all all trust",
        "host replication replicator 0.0.0.0/0 scram-sha-256",
        "host all all 0.0.0.0/0 scram-sha-256",
      ],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
  const merged = spec.teamPatroniConfig ? mergeTeamConfig(base, spec.teamPatroniConfig).config : base;
  return override.patroniConfig ? deepMerge(merged, override.patroniConfig) : merged;
}

function pgBinDir(spec: ClusterSpec): string {
  if (!spec.pgBinDir) throw new Error("ClusterSpec.pgBinDir is unset: startLab sets it from the lab image's facts");
  return spec.pgBinDir;
}

/** The kept keys a team's settings (spec.teamPatroniConfig) tried to change: the same on every node. */
export function teamConfigOverrides(spec: ClusterSpec, secrets: PatroniSecrets): OverriddenKey[] {
  if (!spec.teamPatroniConfig) return [];
  const { teamPatroniConfig, ...rest } = spec;
  const base = patroniConfig({ ...rest, overrides: {} }, "scope", "pg1", secrets);
  return mergeTeamConfig(base, teamPatroniConfig).overridden;
}
