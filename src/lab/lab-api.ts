/**
 * What faults, actions, the recorder and the workload may use of a running lab.
 * The concrete implementation (containers on a Docker engine) is in ./docker-lab.ts; this
 * interface keeps the rest of pgchaos free of Docker details and lets unit tests fake a lab.
 */

import type { DcsProxyControl } from "../dcs-proxy/types.js";

import type { NodeKind } from "../scenario/primitives.js";
export type { NodeKind };

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Run as this user (name or uid) instead of root. */
  user?: string;
  /** Fail (throw) unless the exit code is 0. Default true. */
  check?: boolean;
  /** Seconds before the exec is abandoned. Default 30. */
  timeoutSec?: number;
}

/**
 * A process kept running in a container that answers one stdout line per stdin line (a sampler's
 * helper: one `docker exec` for the whole run instead of one a sample).
 */
export interface ExecSession {
  /** Writes `input` and a newline, then waits for the next line the process prints. */
  ask(input: string, timeoutMs: number): Promise<string>;
  /** Closes its stdin (the process ends) and the stream. */
  close(): void;
}

export interface LabNode {
  /** Node name, also its hostname and network alias: e1.., pg1.., haproxy. */
  readonly name: string;
  readonly kind: NodeKind;
  /** Docker container id. */
  readonly containerId: string;
  /** Address on the lab network. */
  readonly ip: string;
  /** host:port the harness reaches a container port at (mapped ports). */
  endpoint(containerPort: number): { host: string; port: number };
}

export interface Lab {
  readonly runId: string;
  /** Patroni scope (cluster name) and DCS namespace. */
  readonly scope: string;
  readonly namespace: string;
  readonly nodes: readonly LabNode[];
  node(name: string): LabNode;
  etcdNodes(): LabNode[];
  patroniNodes(): LabNode[];

  exec(node: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts `cmd` in the container with its stdin open, for line-by-line questions (ExecSession). */
  execSession(node: string, cmd: string[]): Promise<ExecSession>;
  /** Freeze / thaw every process of the container (cgroup freezer), as `docker pause`. */
  pause(node: string): Promise<void>;
  unpause(node: string): Promise<void>;
  /** Stop / start the whole container (its data survives). */
  stop(node: string, timeoutSec?: number): Promise<void>;
  start(node: string): Promise<void>;

  /** Credentials generated for this run. Never printed or written to a report. */
  readonly secrets: LabSecrets;

  /**
   * The run's TLS material (topology.security.tls): the CA every client trusts and the harness's
   * client certificate. Kept in memory only; never printed or written to a report.
   */
  readonly tls?: LabTlsClient;

  /** The DCS fault proxy between the Patroni nodes and etcd, when the lab has one (topology.dcs_proxy). */
  readonly dcsProxy?: DcsProxyControl;
}

export interface LabSecrets {
  superuserPassword: string;
  replicationPassword: string;
  restapiPassword: string;
  /** etcd's root user, which the harness uses (topology.security.auth). */
  etcdRootPassword?: string;
  /** etcd's `patroni` user, which the Patroni nodes use (topology.security.auth). */
  etcdPatroniPassword?: string;
}

export interface LabTlsClient {
  /** PEM of the run's CA certificate. */
  ca: string;
  /** The harness's client certificate and key (PEM). */
  client: { cert: string; key: string };
}
