import { createWriteStream } from "node:fs";
import type Dockerode from "dockerode";
import { DcsProxy, PING_PATH } from "./proxy.js";
import { labGateway } from "./gateway.js";
import type { ExecResult } from "../lab/lab-api.js";
import type { DcsProxyNotice } from "./types.js";
import { ETCD_CLIENT_PORT } from "../lab/etcd-command.js";
import { UserFacingError } from "../util/errors.js";
import type { Progress } from "../util/progress.js";

export interface LabDcsProxyOptions {
  docker: Dockerode;
  /** The lab's Docker network (the proxy listens on its gateway). */
  network: string;
  /** Patroni's leader key, /service/<scope>/leader. */
  leaderKey: string;
  nodes: string[];
  members: string[];
  /** Current address of a member on the lab network. */
  ip: (member: string) => string;
  /** Runs a command in a lab container (for the reachability check from inside the network). */
  exec: (node: string, cmd: string[]) => Promise<ExecResult>;
  /** A container on the lab network to check from (an etcd member). */
  probeFrom: string;
  /** Every notice as a line here (logs/dcs-proxy.log). */
  logFile: string;
  progress: Progress;
  /** Every notice, from the start (the runner records them on the timeline). */
  onNotice?: (n: DcsProxyNotice) => void;
  /** The run's seeded random source (jitter, error probabilities). */
  random?: () => number;
}

/**
 * The lab's DCS fault proxy: listening on the network's gateway (see labGateway for why it runs
 * in-process and what that rules out), one port per (Patroni node, etcd member), checked
 * reachable from inside the network before any Patroni container is configured to use it.
 * Notices go to logs/dcs-proxy.log; the runner also records them on the timeline.
 */
export async function startLabDcsProxy(o: LabDcsProxyOptions): Promise<{ proxy: DcsProxy; close: () => Promise<void> }> {
  const gw = await labGateway(o.docker, o.network);
  const proxy = await DcsProxy.start({
    listenHost: gw,
    nodes: o.nodes,
    members: o.members,
    upstream: (m) => ({ host: o.ip(m), port: ETCD_CLIENT_PORT }),
    leaderKey: o.leaderKey,
    random: o.random,
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
  try {
    const target = proxy.address(o.nodes[0] ?? "", o.members[0] ?? "");
    const r = await o.exec(o.probeFrom, ["curl", "-sS", "-m", "5", "--retry", "2", `http://${target}${PING_PATH}`]);
    if (r.exitCode !== 0 || r.stdout.trim() !== "pong") {
      throw new UserFacingError(
        `topology.dcs_proxy: a container on the lab network cannot reach the DCS proxy at ${target} (${(r.stderr || r.stdout).trim() || `curl exit ${r.exitCode}`}). ` +
          `The proxy listens in pgchaos on the network's gateway; a host firewall dropping traffic from Docker bridges to the host (INPUT chain) would do this.`,
      );
    }
  } catch (e) {
    await close();
    throw e;
  }
  o.progress(`dcs proxy listening on ${gw} for ${o.nodes.length} Patroni nodes x ${o.members.length} etcd members`);
  return { proxy, close };
}
