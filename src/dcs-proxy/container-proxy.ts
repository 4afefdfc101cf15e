import { PassThrough, type Duplex } from "node:stream";
import { createInterface } from "node:readline";
import type Dockerode from "dockerode";
import type { CancelReport, ControlLine, ControlRequest, DcsProxyCall, DcsProxyControl, DcsProxyNotice, ReleaseMode, ReleaseReport, Toxic, ToxicStats } from "./types.js";
import type { RequestKind } from "./request-kind.js";
import { PROGRAM_DIR, PROGRAM_ENTRY, proxyProgramFiles, tarOf } from "./program-files.js";
import { UserFacingError, errorText } from "../util/errors.js";
import { withTimeout } from "../util/time.js";

/** The proxy container's name on the lab network (its node label and network alias). */
export const DCS_PROXY_NODE = "dcs-proxy";

export interface ContainerDcsProxyOptions {
  docker: Dockerode;
  image: string;
  /** The lab's Docker network: the proxy container joins it. */
  network: string;
  /** Container name. */
  name: string;
  labels: Record<string, string>;
  nodes: string[];
  members: string[];
  /** Patroni's leader key, /service/<scope>/leader. */
  leaderKey: string;
  /** etcd's client port on the members. */
  upstreamPort: number;
  /** Seed of the proxy's random choices (jitter, error probabilities). */
  seed: number;
  /** How long the program may take to listen (default 30 s). */
  startTimeoutMs?: number;
}

/**
 * The DCS fault proxy running in a container of its own on the lab network, from the lab image
 * (which carries Node.js for it): Patroni nodes reach it on the lab network, it reaches etcd by
 * member name there, and pgchaos drives it through the engine (the container's attached stdin
 * and stdout), so it works with any engine pgchaos can reach, local or remote, and needs no
 * published port nor a path from the containers back to the machine pgchaos runs on.
 */
export class ContainerDcsProxy implements DcsProxyControl {
  readonly nodes: readonly string[];
  readonly members: readonly string[];
  private readonly listeners = new Set<(n: DcsProxyNotice) => void>();
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; call: string }>();
  private seq = 0;
  private ended?: string;
  private routes: { node: string; member: string; port: number }[] = [];
  /** The container's address on the lab network. */
  ip = "";
  private removed = false;

  private constructor(
    private readonly docker: Dockerode,
    readonly containerId: string,
    private readonly io: Duplex,
    opts: ContainerDcsProxyOptions,
  ) {
    this.nodes = [...opts.nodes];
    this.members = [...opts.members];
  }

  /** Creates the container, ships the program, starts it and waits until it listens. */
  static async start(o: ContainerDcsProxyOptions): Promise<ContainerDcsProxy> {
    const files = await proxyProgramFiles();
    const config = { nodes: o.nodes, members: o.members, leaderKey: o.leaderKey, upstreamPort: o.upstreamPort, seed: o.seed >>> 0 };
    const container = await o.docker.createContainer({
      name: o.name,
      Image: o.image,
      Hostname: DCS_PROXY_NODE,
      Labels: o.labels,
      User: "nobody",
      Entrypoint: ["/usr/bin/tini", "--", "node", `${PROGRAM_DIR}/${PROGRAM_ENTRY}`],
      Cmd: [JSON.stringify(config)],
      // Control through the attached stdin; StdinOnce closes it when pgchaos detaches (exits),
      // and the program then stops.
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      HostConfig: { NetworkMode: o.network, CapDrop: ["ALL"] },
      NetworkingConfig: { EndpointsConfig: { [o.network]: { Aliases: [DCS_PROXY_NODE] } } },
    });
    let proxy: ContainerDcsProxy | undefined;
    try {
      await container.putArchive(await tarOf(files, PROGRAM_DIR.replace(/^\//, "")), { path: "/" });
      const io = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
      proxy = new ContainerDcsProxy(o.docker, container.id, io, o);
      const ready = proxy.listen();
      await container.start();
      const info = await container.inspect();
      proxy.ip = info.NetworkSettings.Networks?.[o.network]?.IPAddress ?? "";
      proxy.routes = await withTimeout(ready, o.startTimeoutMs ?? 30_000, "the DCS proxy program did not report it was listening");
      if (!proxy.ip) throw new Error(`the DCS proxy container has no address on network ${o.network}`);
      return proxy;
    } catch (e) {
      const logs = await containerLogs(o.docker, container.id);
      await (proxy?.close() ?? container.remove({ force: true }).catch(() => {}));
      const noNode = /node: not found|exec: "node"|no such file or directory/i.test(logs + errorText(e));
      throw new UserFacingError(
        `topology.dcs_proxy: the DCS proxy container (image ${o.image}) did not start: ${errorText(e)}` +
          (logs.trim() ? `\n  its output: ${logs.trim().split("\n").slice(-5).join("\n  ")}` : "") +
          (noNode ? `\n  The proxy runs on Node.js inside the lab image: rebuild the image (pgchaos image --force) or use one with the 'nodejs' package.` : ""),
      );
    }
  }

  /** Reads the program's output: the ready line (resolves), then replies and notices. */
  private listen(): Promise<{ node: string; member: string; port: number }[]> {
    const out = new PassThrough();
    const err = new PassThrough();
    this.docker.modem.demuxStream(this.io, out, err);
    const errLines: string[] = [];
    createInterface({ input: err }).on("line", (l) => errLines.push(l));
    return new Promise((resolve, reject) => {
      createInterface({ input: out }).on("line", (text) => {
        let line: ControlLine;
        try {
          line = JSON.parse(text) as ControlLine;
        } catch {
          return;
        }
        if ("ready" in line) resolve(line.ready.routes);
        else if ("notice" in line) for (const l of this.listeners) this.safely(l, line.notice);
        else {
          const p = this.pending.get(line.id);
          if (!p) return;
          this.pending.delete(line.id);
          if (line.error !== undefined) p.reject(new Error(`dcs proxy: ${p.call}: ${line.error}`));
          else p.resolve(line.result);
        }
      });
      const gone = () => {
        this.ended = `the DCS proxy container's control stream ended${errLines.length ? ` (${errLines.slice(-3).join(" | ")})` : ""}`;
        for (const p of this.pending.values()) p.reject(new Error(this.ended));
        this.pending.clear();
        reject(new Error(this.ended));
      };
      this.io.on("end", gone);
      this.io.on("close", gone);
      this.io.on("error", gone);
    });
  }

  private safely(l: (n: DcsProxyNotice) => void, n: DcsProxyNotice) {
    try {
      l(n);
    } catch {
      // a listener's failure is not the proxy's
    }
  }

  private call<T>(call: DcsProxyCall, ...args: unknown[]): Promise<T> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const id = ++this.seq;
    const req: ControlRequest = { id, call, args };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, call });
      this.io.write(`${JSON.stringify(req)}\n`);
    });
  }

  address(node: string, member: string): string {
    const r = this.routes.find((x) => x.node === node && x.member === member);
    if (!r) throw new Error(`dcs proxy: no route for ${node} -> ${member}`);
    return `${this.ip}:${r.port}`;
  }

  routeOf(port: number) {
    const r = this.routes.find((x) => x.port === port);
    return r && { node: r.node, member: r.member };
  }

  /** Every route, for people: "pg1 -> e1 at 172.18.0.5:40001". */
  describeRoutes(): string[] {
    return this.routes.map((r) => `${r.node} -> ${r.member} at ${this.ip}:${r.port}`);
  }

  onNotice(listener: (n: DcsProxyNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stallWatch(node: string) {
    return this.call<void>("stallWatch", node);
  }
  isStalled(node: string) {
    return this.call<boolean>("isStalled", node);
  }
  releaseWatch(node: string, mode: ReleaseMode) {
    return this.call<ReleaseReport>("releaseWatch", node, mode);
  }
  addToxic(node: string, toxic: Toxic) {
    return this.call<string>("addToxic", node, toxic);
  }
  removeToxic(node: string, id: string) {
    return this.call<ToxicStats | undefined>("removeToxic", node, id);
  }
  resetConnections(node: string, kinds?: RequestKind[], members?: string[]) {
    return this.call<number>("resetConnections", node, kinds, members);
  }
  watchStreams(node: string) {
    return this.call<{ stream: number; etcd: string; openedMs: number; stalled: boolean }[]>("watchStreams", node);
  }
  requestCounts(node: string) {
    return this.call<Record<RequestKind, number>>("requestCounts", node);
  }
  cancelWatch(node: string, compactRevision?: number) {
    return this.call<CancelReport>("cancelWatch", node, compactRevision);
  }
  closeCanceled(node: string) {
    return this.call<number>("closeCanceled", node);
  }
  leaderView(node: string) {
    return this.call<string | null | undefined>("leaderView", node);
  }

  /** Ends the control stream (the program closes its ports) and removes the container. Idempotent. */
  async close(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.io.end();
    this.listeners.clear();
    await this.docker
      .getContainer(this.containerId)
      .remove({ force: true })
      .catch(() => {});
  }
}

async function containerLogs(docker: Dockerode, id: string): Promise<string> {
  try {
    const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, tail: 20 })) as unknown as Buffer;
    // Multiplexed frames: an 8-byte header before each payload.
    const out: string[] = [];
    for (let i = 0; i + 8 <= buf.length; ) {
      const len = buf.readUInt32BE(i + 4);
      out.push(buf.subarray(i + 8, i + 8 + len).toString("utf8"));
      i += 8 + len;
    }
    return out.join("");
  } catch {
    return "";
  }
}
