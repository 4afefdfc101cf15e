import type { ClusterSpec } from "./topology.js";
import { etcdNames } from "./topology.js";

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
  const cmd = [
    "etcd",
    `--name=${name}`,
    `--data-dir=${ETCD_DATA_DIR}`,
    `--listen-client-urls=http://0.0.0.0:${ETCD_CLIENT_PORT}`,
    `--advertise-client-urls=http://${name}:${ETCD_CLIENT_PORT}`,
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
  return cmd;
}

/** Content of /run/pgchaos/etcd.env, read by pgchaos-supervise before each start of etcd. */
export function etcdEnv(token: string): string {
  return `ETCD_INITIAL_CLUSTER_TOKEN=${token}\n`;
}
export const ETCD_ENV_PATH = "/run/pgchaos/etcd.env";
