import { mkdir } from "node:fs/promises";
import path from "node:path";
import type Dockerode from "dockerode";
import { stringify } from "yaml";
import type { ExecOptions, ExecResult, ExecSession, Lab, LabNode, LabSecrets, LabTlsClient, NodeKind } from "./lab-api.js";
import { makeLabTls, TLS_CA_PATH, TLS_CERT_PATH, TLS_CLIENT_CERT_PATH, TLS_CLIENT_KEY_PATH, TLS_KEY_PATH, type LabTlsMaterial } from "./tls.js";
import { enableEtcdAuth } from "./etcd-auth.js";
import { etcdHttp, labTlsOptions } from "./lab-clients.js";
import { waitFor } from "../util/time.js";
import type { ClusterSpec } from "./topology.js";
import { etcdNames, patroniNames } from "./topology.js";
import { ETCD_CLIENT_PORT, ETCD_ENV_PATH, etcdCommand, etcdEnv } from "./etcd-command.js";
import { PATRONI_CONFIG_PATH, PATRONI_REST_PORT, PG_PORT, patroniConfig } from "./patroni-config.js";
import { HAPROXY_CONFIG_PATH, HAPROXY_NODE, HAPROXY_PRIMARY_PORT, HAPROXY_REPLICA_PORT, HAPROXY_STATS_PORT, haproxyCommand, haproxyConfig } from "./haproxy-config.js";
import { LABEL_KIND, LABEL_NODE, runLabels } from "./labels.js";
import { newRunId, newSecret } from "./run-id.js";
import { LogFollower, type LogListener } from "./log-follower.js";
import { dockerExec, dockerExecSession } from "./docker-exec.js";
import type { Progress } from "../util/progress.js";
import { errorText } from "../util/errors.js";
import type { ContainerDcsProxy } from "../dcs-proxy/container-proxy.js";
import type { LabDcsProxy } from "../dcs-proxy/lab-proxy.js";
import type { DcsProxyNotice } from "../dcs-proxy/types.js";
import { startLabDcsProxy } from "../dcs-proxy/lab-proxy.js";
import { containerFilesArchive, type ContainerFile } from "./container-files.js";
import { engineRuntimeFacts } from "../engine/runtime-facts.js";
import { networkRoutedHere } from "./routes.js";
import { DataVolumes } from "./data-volumes.js";
import { naturalCompare } from "../util/natural-order.js";

/** How long a container's supervisor may take to start its service once the container runs. */
const SERVICE_START_TIMEOUT_MS = 60_000;

export interface LabStartOptions {
  docker: Dockerode;
  image: string;
  /** Where container logs are written (one file per node). */
  logDir: string;
  progress: Progress;
  runId?: string;
  /** Credentials for this run (generated when absent). */
  secrets?: LabSecrets;
  /** Called with every container log line (the recorder watches for patterns). */
  onLogLine?: LogListener;
  /** Called with everything the DCS proxy does (topology.dcs_proxy), from its start. */
  onDcsProxyNotice?: (n: DcsProxyNotice) => void;
  /** The run's seeded random source (DCS proxy jitter and error probabilities). */
  random?: () => number;
  /** Publish every service port on the engine's host even when the lab's network is reachable directly (`pgchaos up`). */
  publishPorts?: boolean;
}

/** Read by the Patroni container's supervisor before Patroni's first start (openPatroniGates). */
const PATRONI_GATE_PATH = "/run/pgchaos/gate-patroni";

class DockerLabNode implements LabNode {
  ports = new Map<number, number>();
  constructor(
    readonly name: string,
    readonly kind: NodeKind,
    readonly containerId: string,
    public ip: string,
    private readonly host: string,
    /** The lab network is routed from this machine: the harness talks to the container's own address. */
    private readonly direct: boolean,
  ) {}
  endpoint(containerPort: number) {
    if (this.direct && this.ip) return { host: this.ip, port: containerPort };
    return this.publishedEndpoint(containerPort);
  }
  /** The port as published on the engine's host (reachable from other machines too). */
  publishedEndpoint(containerPort: number) {
    const port = this.ports.get(containerPort);
    if (port === undefined) throw new Error(`${this.name}: port ${containerPort} is not published`);
    return { host: this.host, port };
  }
}


/**
 * A lab cluster of containers on one Docker network: etcd members e1.., Patroni nodes pg1..,
 * optionally haproxy. Hostnames equal node names. Every object carries the run's labels;
 * `teardown` removes them all and is safe to call more than once.
 */
export class DockerLab implements Lab {
  readonly nodes: DockerLabNode[] = [];
  private readonly followers = new Map<string, LogFollower>();
  private network?: { name: string; id: string };
  private torndown = false;
  /** The engine's host as this process reaches it (published ports are there). */
  private engineHost = "";
  /** See routedHere. */
  private direct = false;
  private listeners = new Set<LogListener>();
  private proxy?: LabDcsProxy;
  readonly scope: string;
  readonly namespace = "/service/";
  readonly secrets: LabSecrets;
  etcdToken: string;
  /** Every node's certificate and the harness's (topology.security.tls); in memory only. */
  private tlsMaterial?: LabTlsMaterial;
  /** The nodes' data directories, in memory (data-volumes.ts). */
  private readonly volumes: DataVolumes;

  private constructor(
    readonly spec: ClusterSpec,
    readonly runId: string,
    private readonly opts: LabStartOptions,
  ) {
    this.scope = `pgchaos-${runId}`;
    this.secrets = { ...(opts.secrets ?? { superuserPassword: newSecret(), replicationPassword: newSecret(), restapiPassword: newSecret() }) };
    // The harness's etcd clients authenticate when the lab has an etcd root password: only with
    // authentication on.
    if (spec.security?.auth) {
      this.secrets.etcdRootPassword ??= newSecret();
      this.secrets.etcdPatroniPassword ??= newSecret();
    } else {
      delete this.secrets.etcdRootPassword;
      delete this.secrets.etcdPatroniPassword;
    }
    this.etcdToken = `pgchaos-${runId}`;
    if (opts.onLogLine) this.listeners.add(opts.onLogLine);
    this.volumes = new DataVolumes(opts.docker, runId, opts.image);
  }

  get docker() {
    return this.opts.docker;
  }
  get tls(): LabTlsClient | undefined {
    return this.tlsMaterial && { ca: this.tlsMaterial.ca, client: this.tlsMaterial.client };
  }
  get networkName() {
    return this.network?.name;
  }
  /** The DCS fault proxy (topology.dcs_proxy), between every Patroni node and the etcd members. */
  get dcsProxy(): ContainerDcsProxy | undefined {
    return this.proxy?.proxy;
  }

  onLogLine(l: LogListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Creates the network and containers. On failure everything created so far is removed. */
  static async start(spec: ClusterSpec, opts: LabStartOptions): Promise<DockerLab> {
    const lab = new DockerLab(spec, opts.runId ?? newRunId(), opts);
    try {
      await lab.create();
      return lab;
    } catch (e) {
      await lab.teardown().catch(() => {});
      throw e;
    }
  }

  private async create() {
    const { progress } = this.opts;
    if (this.spec.dcsProxy && this.spec.security) {
      // The proxy speaks plain HTTP to etcd and holds no credentials (scenario validation says so first).
      throw new Error("the DCS fault proxy (topology.dcs_proxy) cannot be combined with topology.security");
    }
    await mkdir(this.opts.logDir, { recursive: true });
    const netName = `pgchaos-${this.runId}`;
    const net = await this.docker.createNetwork({
      Name: netName,
      CheckDuplicate: true,
      Driver: "bridge",
      Labels: runLabels(this.runId),
    });
    this.network = { name: netName, id: net.id };
    // Not with TLS: the certificates, made before the containers have addresses, name the node
    // and the engine's host, and the etcd3 library's authenticate call opens its own gRPC channel
    // without the name override (connection-pool.js getCredentialsFromHost), so it would check
    // the certificate against the container's address and fail.
    this.direct = !this.spec.security?.tls && (await networkRoutedHere(net));
    progress(`network ${netName} created`);
    // Where published ports listen: asked only when something is published (TLS labs are never direct).
    if (!this.direct || this.opts.publishPorts) this.engineHost = (await engineRuntimeFacts()).host;
    if (this.spec.security?.tls) {
      this.tlsMaterial = await makeLabTls(this.runId, [...etcdNames(this.spec), ...patroniNames(this.spec)], { engineHost: this.engineHost });
      progress("TLS: a CA and certificates for this run made");
    }

    // etcd members must start together: none is healthy before a quorum has joined. Patroni
    // nodes start with them (they retry the DCS until it answers) unless the DCS proxy, which
    // their patroni.yml names, has to come up first. The proxy reaches etcd by member name, so
    // its container starts alongside the members.
    // With etcd authentication, Patroni starts once its user exists: a Patroni that found auth
    // still off would carry on without a token until etcd refuses it.
    const patroniEarly = !this.spec.dcsProxy && !this.spec.security?.auth;
    const [nodes, proxy] = await Promise.allSettled([
      this.startAll([
        ...etcdNames(this.spec).map((n) => [n, "etcd"] as const),
        ...(patroniEarly ? patroniNames(this.spec).map((n) => [n, "patroni"] as const) : []),
      ]),
      this.spec.dcsProxy
        ? startLabDcsProxy({
            docker: this.docker,
            image: this.opts.image,
            network: netName,
            name: `pgchaos-${this.runId}-dcs-proxy`,
            labels: { ...runLabels(this.runId), [LABEL_NODE]: "dcs-proxy", [LABEL_KIND]: "dcs-proxy" },
            leaderKey: `${this.namespace}${this.scope}/leader`,
            nodes: patroniNames(this.spec),
            members: etcdNames(this.spec),
            exec: (n, cmd) => this.exec(n, cmd, { check: false }),
            probeFrom: etcdNames(this.spec)[0],
            logFile: path.join(this.opts.logDir, "dcs-proxy.log"),
            progress,
            onNotice: this.opts.onDcsProxyNotice,
            random: this.opts.random,
          })
        : undefined,
    ]);
    // Kept before any failure is thrown, so that teardown removes it too.
    if (proxy.status === "fulfilled") this.proxy = proxy.value;
    if (nodes.status === "rejected") throw nodes.reason;
    if (proxy.status === "rejected") throw proxy.reason;
    progress(`etcd members started: ${etcdNames(this.spec).join(", ")}`);
    // Before Patroni: each node's patroni.yml names its proxy ports.
    await this.proxy?.checkReachable();
    if (this.spec.security?.auth) await this.enableAuth();
    if (!patroniEarly) await this.startAll(patroniNames(this.spec).map((n) => [n, "patroni"] as const));
    await this.openPatroniGates();
    progress(`patroni nodes started: ${patroniNames(this.spec).join(", ")}`);
    // HAProxy last: its servers are the Patroni nodes (names resolved through Docker's DNS).
    if (this.spec.haproxy) {
      await this.startNode(HAPROXY_NODE, "haproxy");
      progress(`haproxy started`);
    }
    // Not awaited here: the cluster comes up meanwhile (startLab waits for it once ready, dataHeld).
    if (this.spec.keepDataWhileStopped) this.volumes.hold().catch(() => {});
  }

  /** Resolves once the keeper holds the data volumes, when the spec asks for it from the start. */
  async dataHeld(): Promise<void> {
    if (this.spec.keepDataWhileStopped) await this.volumes.hold();
  }

  /**
   * Patroni's supervisors hold its first start (compose/scripts/pgchaos-supervise) until every
   * etcd member reports a decided cluster version of 3.1 or more. Patroni sleeps 5 s whenever its
   * first contact with etcd fails, and a new cluster fails it in two windows after its election:
   * /version says "not_decided" (Patroni 3.0.2 parses it as a number and fails), or a provisional
   * 3.0 for up to 4 s when the leader could not read a member's version (Patroni then speaks
   * /v3alpha and gets 404). Either made one lab start in three take 12-15 s instead of 7.
   * After 30 s the gates open anyway, with a warning: Patroni's own retries take over.
   */
  private async openPatroniGates() {
    const decided = async () => {
      const vs = await Promise.all(etcdNames(this.spec).map((n) => etcdHttp(this, n).clusterVersion(500).catch(() => undefined)));
      return vs.every((v) => v !== undefined && /^3\.([1-9]|\d\d)/.test(v));
    };
    await waitFor("etcd's cluster version decided on every member", decided, { timeoutMs: 30_000, intervalMs: 50 }).catch((e: unknown) =>
      this.opts.progress(`warning: ${errorText(e)}; starting Patroni anyway`),
    );
    const open = await containerFilesArchive([{ content: "open\n", target: PATRONI_GATE_PATH, mode: 0o644 }]);
    await Promise.all(this.patroniNodes().map((n) => this.docker.getContainer(n.containerId).putArchive(open, { path: "/" })));
  }

  /** etcd users and `auth enable`, through e1 once the members have a quorum (topology.security.auth). */
  private async enableAuth() {
    const e1 = etcdNames(this.spec)[0];
    const { host, port } = this.node(e1).endpoint(ETCD_CLIENT_PORT);
    await waitFor("etcd healthy before enabling authentication", () => etcdHttp(this, e1).health().catch(() => false), { timeoutMs: 60_000, intervalMs: 200 });
    await enableEtcdAuth({
      baseUrl: `${this.spec.security?.tls ? "https" : "http"}://${host}:${port}`,
      tls: labTlsOptions(this, e1),
      prefix: `${this.namespace}${this.scope}/`,
      rootPassword: this.secrets.etcdRootPassword!,
      patroniPassword: this.secrets.etcdPatroniPassword!,
    });
    this.opts.progress("etcd authentication enabled (users root and patroni)");
  }

  /** The run's CA, and the node's own certificate and key when it has one, as files in its container. */
  private tlsFiles(name: string, kind: NodeKind) {
    const m = this.tlsMaterial;
    if (!m) return [];
    const own = m.nodes[name];
    const client = kind === "patroni" ? [{ content: m.client.cert, target: TLS_CLIENT_CERT_PATH, mode: 0o644 }, { content: m.client.key, target: TLS_CLIENT_KEY_PATH, mode: 0o644 }] : [];
    // Readable by every user of the container: Patroni runs as postgres, etcd as root. The
    // files exist only inside this run's containers, which are removed with it.
    return [
      { content: m.ca, target: TLS_CA_PATH, mode: 0o644 },
      ...(own ? [{ content: own.cert, target: TLS_CERT_PATH, mode: 0o644 }, { content: own.key, target: TLS_KEY_PATH, mode: 0o644 }] : []),
      ...client,
    ];
  }

  /** What a node's container runs, the ports it serves and the files it needs before it starts. */
  private containerSpec(name: string, kind: NodeKind): { cmd: string[]; ports: number[]; files: ContainerFile[] } {
    if (kind === "etcd") {
      return {
        cmd: ["etcd", "--", ...etcdCommand(this.spec, name)],
        ports: [ETCD_CLIENT_PORT],
        files: [{ content: etcdEnv(this.etcdToken), target: ETCD_ENV_PATH, mode: 0o644 }, ...this.tlsFiles(name, kind)],
      };
    }
    if (kind === "haproxy") {
      return {
        cmd: haproxyCommand(),
        ports: [HAPROXY_PRIMARY_PORT, HAPROXY_REPLICA_PORT, HAPROXY_STATS_PORT],
        files: [{ content: haproxyConfig(this.spec), target: HAPROXY_CONFIG_PATH, mode: 0o644 }, ...this.tlsFiles(name, kind)],
      };
    }
    const proxy = this.proxy?.proxy;
    const config = stringify(patroniConfig(this.spec, this.scope, name, this.secrets, proxy && ((m) => proxy.address(name, m))));
    return {
      cmd: ["patroni", "--user", "postgres", "--", "patroni", PATRONI_CONFIG_PATH],
      ports: [PATRONI_REST_PORT, PG_PORT],
      files: [{ content: config, target: PATRONI_CONFIG_PATH, mode: 0o644 }, { content: "closed\n", target: PATRONI_GATE_PATH, mode: 0o644 }, ...this.tlsFiles(name, kind)],
    };
  }

  /**
   * Starts containers in parallel and waits for every one to settle before reporting the first
   * failure, so that teardown after a failed start sees (and removes) all of them.
   */
  private async startAll(nodes: readonly (readonly [string, NodeKind])[]): Promise<void> {
    const results = await Promise.allSettled(nodes.map(([n, k]) => this.startNode(n, k)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /**
   * One container in as few engine round trips as the API allows: created on the lab network
   * only, with its alias and published ports, in one call; its files as one archive; started.
   * (testcontainers' GenericContainer creates a container with aliases on the default bridge and
   * then connects it to the network: two interfaces, and a connect round trip, per container.)
   */
  private async startNode(name: string, kind: NodeKind): Promise<void> {
    const { cmd, ports, files } = this.containerSpec(name, kind);
    const net = this.network!.name;
    const mounts = await this.volumes.forNode(name, kind);
    const container = await this.docker.createContainer({
      name: `pgchaos-${this.runId}-${name}`,
      Image: this.opts.image,
      Hostname: name,
      Cmd: cmd,
      Labels: { ...runLabels(this.runId), [LABEL_NODE]: name, [LABEL_KIND]: kind },
      ExposedPorts: Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])),
      HostConfig: {
        NetworkMode: net,
        ...(this.direct && !this.opts.publishPorts ? {} : { PortBindings: Object.fromEntries(ports.map((p) => [`${p}/tcp`, [{ HostPort: "" }]])) }),
        // iptables partitions and DNS faults act inside the container: NET_ADMIN only, never privileged.
        CapAdd: ["NET_ADMIN"],
        Mounts: mounts,
      },
      NetworkingConfig: { EndpointsConfig: { [net]: { Aliases: [name] } } },
    });
    // Recorded before it runs, so that teardown removes it whatever happens next.
    const node = new DockerLabNode(name, kind, container.id, "", this.engineHost, this.direct);
    this.nodes.push(node);
    await container.putArchive(await containerFilesArchive(files), { path: "/" });
    const follower = new LogFollower(this.docker, node.containerId, name, path.join(this.opts.logDir, `${name}.log`), (n, l) => {
      for (const f of this.listeners) f(n, l);
    });
    this.followers.set(name, follower);
    await container.start();
    // The follower streams the log from its first line, so listening once the container runs
    // misses nothing; Promise.all keeps a late rejection of any of the three handled.
    await Promise.all([this.supervisorStarted(name, cmd[0]), this.refreshNode(node), follower.attach()]);
  }

  /**
   * Resolves when the node's supervisor logs that it started its service, or that it holds the
   * first start at its gate (compose/scripts/pgchaos-supervise; openPatroniGates).
   */
  private supervisorStarted(node: string, service: string): Promise<void> {
    const line = new RegExp(`^\\[pgchaos\\] supervise ${service}: (started|waiting for its gate)`);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`${node}: its supervisor did not start ${service} within ${SERVICE_START_TIMEOUT_MS / 1000} s (see logs/${node}.log)`));
      }, SERVICE_START_TIMEOUT_MS);
      // A lab torn down while it waits must not keep the process alive for the rest of the minute.
      timer.unref();
      const off = this.onLogLine((n, l) => {
        if (n !== node || !line.test(l)) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  /** Ports and address can change when a container restarts. */
  private async refreshNode(node: DockerLabNode) {
    const info = await this.docker.getContainer(node.containerId).inspect();
    node.ip = info.NetworkSettings.Networks?.[this.network!.name]?.IPAddress ?? "";
    node.ports.clear();
    for (const [k, v] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      const binding = (v as { HostPort: string; HostIp: string }[] | null)?.find((b) => b.HostIp === "0.0.0.0") ?? (v as { HostPort: string }[] | null)?.[0];
      if (binding) node.ports.set(Number(k.split("/")[0]), Number(binding.HostPort));
    }
  }

  node(name: string): DockerLabNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node '${name}' in this lab (nodes: ${this.nodes.map((x) => x.name).join(", ")})`);
    return n;
  }
  etcdNodes() {
    return this.nodes.filter((n) => n.kind === "etcd").sort((a, b) => naturalCompare(a.name, b.name));
  }
  patroniNodes() {
    return this.nodes.filter((n) => n.kind === "patroni").sort((a, b) => naturalCompare(a.name, b.name));
  }

  exec(node: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult> {
    return dockerExec(this.docker, this.node(node).containerId, node, cmd, opts);
  }
  execSession(node: string, cmd: string[]): Promise<ExecSession> {
    return dockerExecSession(this.docker, this.node(node).containerId, node, cmd);
  }

  async pause(node: string) {
    await this.docker.getContainer(this.node(node).containerId).pause();
  }
  async unpause(node: string) {
    const c = this.docker.getContainer(this.node(node).containerId);
    const info = await c.inspect();
    if (info.State.Paused) await c.unpause();
  }
  async stop(node: string, timeoutSec = 10) {
    const n = this.node(node);
    const c = this.docker.getContainer(n.containerId);
    const info = await c.inspect();
    // Its data directory is a tmpfs volume: held by the keeper, it is there again at start.
    if (info.State.Running) {
      await this.volumes.hold();
      await c.stop({ t: timeoutSec });
    }
    this.followers.get(node)?.detach();
  }
  async start(node: string) {
    const n = this.node(node);
    const c = this.docker.getContainer(n.containerId);
    const info = await c.inspect();
    if (info.State.Running) return;
    const since = Math.floor(Date.now() / 1000);
    await c.start();
    await this.refreshNode(n);
    await this.followers.get(node)?.attach(since);
  }

  /** Removes every container and the network. Idempotent; never throws. */
  async teardown(): Promise<void> {
    if (this.torndown) return;
    this.torndown = true;
    await Promise.all([...this.followers.values()].map((f) => f.close().catch(() => {})));
    await this.proxy?.close().catch(() => {});
    const keeper = this.volumes.keeperId;
    await Promise.all(
      [...this.nodes.map((n) => [n.name, n.containerId] as const), ...(keeper ? [["keeper", keeper] as const] : [])].map(([name, id]) =>
        this.docker
          .getContainer(id)
          .remove({ force: true, v: true })
          .catch((e: unknown) => this.opts.progress(`teardown: removing ${name}: ${errorText(e)}`)),
      ),
    );
    await this.volumes.remove(this.opts.progress);
    if (this.network) {
      await this.docker
        .getNetwork(this.network.id)
        .remove()
        .catch((e: unknown) => this.opts.progress(`teardown: removing network: ${errorText(e)}`));
    }
  }
}
