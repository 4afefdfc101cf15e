import type { ClusterSpec } from "./topology.js";
import { etcdNames } from "./topology.js";
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_PATH } from "./tls.js";

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_DATA_DIR = "/var/lib/etcd/data";

/**
 * The etcd command line for one member: v3 API, zap logger, advertised by hostname so that
 * faults on name resolution (incident 2) act on real lookups. The cluster token is not a flag
 * but ETCD_INITIAL_CLUSTER_TOKEN in /run/pgchaos/etcd.env (see etcdEnv), so that a rebuild
 * can give the new, empty cluster a new token without recreating the container.
 */
export function etcdCommand(spec: ClusterSpec, name: string, state: "new" | "existing" = "new"): string[] {
  const initialCluster = etcdNames(spec)
    .map((n) => `${n}=http://${n}:${ETCD_PEER_PORT}`)
    .join(",");
  const client = spec.security?.tls ? "https" : "http";
  const cmd = [
    "etcd",
    `--name=${name}`,
    `--data-dir=${ETCD_DATA_DIR}`,
    `--listen-client-urls=${client}://0.0.0.0:${ETCD_CLIENT_PORT}`,
    `--advertise-client-urls=${client}://${name}:${ETCD_CLIENT_PORT}`,
    `--listen-peer-urls=http://0.0.0.0:${ETCD_PEER_PORT}`,
    `--initial-advertise-peer-urls=http://${name}:${ETCD_PEER_PORT}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=${state}`,
    "--logger=zap",
    "--log-outputs=stderr",
    // Small lab: elections within a second or two, like a LAN deployment.
    "--heartbeat-interval=100",
    "--election-timeout=1000",
  ];
  if (spec.etcd.preVote) cmd.push("--pre-vote=true");
  // Clients only: peers stay on plain http inside the lab network, which no client reaches.
  // Authentication (users, roles, auth enable) is not a flag: etcd-auth.ts sets it up once
  // the members have a quorum.
  if (spec.security?.tls) {
    cmd.push(`--cert-file=${TLS_CERT_PATH}`, `--key-file=${TLS_KEY_PATH}`, "--client-cert-auth", `--trusted-ca-file=${TLS_CA_PATH}`);
  }
  return cmd;
}

/** Content of /run/pgchaos/etcd.env, read by pgchaos-supervise before each start of etcd. */
export function etcdEnv(token: string): string {
  return `ETCD_INITIAL_CLUSTER_TOKEN=${token}\n`;
}
export const ETCD_ENV_PATH = "/run/pgchaos/etcd.env";
