/** What to start: the lab's shape and Patroni's DCS settings. Scenarios map onto this. */
import { type DcsSettings, defaultDcsSettings } from "../scenario/patroni-settings.js";

export type { DcsSettings };

export interface NodeOverride {
  /** Deep-merged over the generated patroni.yml. */
  patroniConfig?: Record<string, unknown>;
  /** Order of this node's etcd3.hosts, by etcd node name. */
  etcdHosts?: string[];
}

export interface LabSecuritySpec {
  /** A per-run CA; etcd clients need a client certificate; Patroni's REST API and HAProxy's checks use https. */
  tls: boolean;
  /** etcd v3 authentication: users root (the harness) and patroni (its scope's keys), per-run passwords. */
  auth: boolean;
}

export interface ClusterSpec {
  etcd: { members: number; preVote: boolean };
  patroni: { nodes: number };
  haproxy: boolean;
  /**
   * Put the DCS fault proxy (src/dcs-proxy, a container on the lab network) between every Patroni node and the
   * etcd members: Patroni's etcd3 hosts point at it, with use_proxies. Needed by the proxy faults
   * (watch-stall, watch-cancel, dcs-latency, dcs-error). Default false.
   */
  dcsProxy?: boolean;
  /**
   * TLS and authentication (topology.security): etcd's client URLs over https with client
   * certificates and v3 authentication, Patroni's REST API over https. Default: both off.
   */
  security?: LabSecuritySpec;
  dcs: DcsSettings;
  overrides: Record<string, NodeOverride>;
  /**
   * Containers may be stopped and started again (a container-stop fault, `pgchaos up`): the
   * nodes' in-memory data directories are held from the start (lab/data-volumes.ts) so that the
   * stop itself waits for nothing. Without it, the first stop holds them. Default false.
   */
  keepDataWhileStopped?: boolean;
  /** PostgreSQL's bin directory in the lab image: read from the image by startLab, never typed here. */
  pgBinDir?: string;
  /** A team's own patroni.yml settings merged into every node (see team-config.ts). */
  teamPatroniConfig?: Record<string, unknown>;
}

export function clusterSpec(partial: Partial<Omit<ClusterSpec, "dcs">> & { dcs?: Partial<DcsSettings> } = {}): ClusterSpec {
  return {
    etcd: partial.etcd ?? { members: 3, preVote: false },
    patroni: partial.patroni ?? { nodes: 3 },
    haproxy: partial.haproxy ?? false,
    dcsProxy: partial.dcsProxy ?? false,
    ...(partial.keepDataWhileStopped ? { keepDataWhileStopped: true } : {}),
    ...(partial.security && (partial.security.tls || partial.security.auth) ? { security: partial.security } : {}),
    dcs: { ...defaultDcsSettings(), ...(partial.dcs ?? {}) },
    overrides: partial.overrides ?? {},
    ...(partial.pgBinDir ? { pgBinDir: partial.pgBinDir } : {}),
    ...(partial.teamPatroniConfig ? { teamPatroniConfig: partial.teamPatroniConfig } : {}),
  };
}

export const etcdName = (i: number) => `e${i + 1}`;
export const patroniName = (i: number) => `pg${i + 1}`;

export function etcdNames(spec: ClusterSpec): string[] {
  return Array.from({ length: spec.etcd.members }, (_, i) => etcdName(i));
}
export function patroniNames(spec: ClusterSpec): string[] {
  return Array.from({ length: spec.patroni.nodes }, (_, i) => patroniName(i));
}
