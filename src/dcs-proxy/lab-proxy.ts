import { createWriteStream } from "node:fs";
import type Dockerode from "dockerode";
import { PING_PATH } from "./proxy.js";
import { ContainerDcsProxy, DCS_PROXY_NODE } from "./container-proxy.js";
import type { ExecResult } from "../lab/lab-api.js";
import type { DcsProxyNotice } from "./types.js";
import { ETCD_CLIENT_PORT } from "../lab/etcd-command.js";
import { UserFacingError } from "../util/errors.js";
import type { Progress } from "../util/progress.js";

export interface LabDcsProxyOptions {
  docker: Dockerode;
  /** The lab image (the proxy container runs it too). */
  image: string;
  /** The lab's Docker network (the proxy container joins it). */
  network: string;
  /** Container name and labels (the run's, so teardown, gc and the reaper find it). */
  name: string;
  labels: Record<string, string>;
  /** Patroni's leader key, /service/<scope>/leader. */
  leaderKey: string;
  nodes: string[];
  members: string[];
  /** Runs a command in a lab container (for the reachability check from inside the network). */
  exec: (node: string, cmd: string[]) => Promise<ExecResult>;
  /** A container on the lab network to check from (an etcd member). */
  probeFrom: string;
  /** Every notice as a line here (logs/dcs-proxy.log). */
  logFile: string;
  progress: Progress;
  /** Every notice, from the start (the runner records them on the timeline). */
  onNotice?: (n: DcsProxyNotice) => void;
  /** The run's seeded random source: draws the proxy's own seed (jitter, error probabilities). */
  random?: () => number;
}

/** A started lab proxy: the control, its teardown, and the check that the lab network reaches it. */
export interface LabDcsProxy {
  proxy: ContainerDcsProxy;
  close: () => Promise<void>;
  /** Pings the proxy from `probeFrom` (once that container runs): a clear error if the network does not carry it. */
  checkReachable: () => Promise<void>;
}

/**
 * The lab's DCS fault proxy: a container on the lab network (ContainerDcsProxy), one port per
 * (Patroni node, etcd member). It reaches the etcd members by name, so it may start alongside
 * them; checkReachable must pass before any Patroni container is configured to use it.
 * Notices go to logs/dcs-proxy.log; the runner also records them on the timeline.
 */
export async function startLabDcsProxy(o: LabDcsProxyOptions): Promise<LabDcsProxy> {
  const proxy = await ContainerDcsProxy.start({
    docker: o.docker,
    image: o.image,
    network: o.network,
    name: o.name,
    labels: o.labels,
    nodes: o.nodes,
    members: o.members,
    leaderKey: o.leaderKey,
    upstreamPort: ETCD_CLIENT_PORT,
    seed: Math.floor((o.random ?? Math.random)() * 2 ** 32),
  });
  const log = createWriteStream(o.logFile, { flags: "a" });
  log.on("error", () => {});
  for (const r of proxy.describeRoutes()) log.write(`${new Date().toISOString()} route ${r}\n`);
  proxy.onNotice((n) => log.write(`${new Date().toISOString()} ${n.node} ${n.text}\n`));
  if (o.onNotice) proxy.onNotice(o.onNotice);
  const close = async () => {
    await proxy.close();
    await new Promise<void>((resolve) => log.end(() => resolve()));
  };
  const checkReachable = async () => {
    const target = proxy.address(o.nodes[0] ?? "", o.members[0] ?? "");
    const r = await o.exec(o.probeFrom, ["curl", "-sS", "-m", "5", "--retry", "2", `http://${target}${PING_PATH}`]);
    if (r.exitCode !== 0 || r.stdout.trim() !== "pong") {
      throw new UserFacingError(
        `topology.dcs_proxy: a container on the lab network cannot reach the DCS proxy container at ${target} (${(r.stderr || r.stdout).trim() || `curl exit ${r.exitCode}`}).`,
      );
    }
    o.progress(`dcs proxy container ${DCS_PROXY_NODE} at ${proxy.ip} on the lab network for ${o.nodes.length} Patroni nodes x ${o.members.length} etcd members`);
  };
  return { proxy, close, checkReachable };
}
