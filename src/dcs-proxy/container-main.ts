import { createInterface } from "node:readline";
import { DcsProxy } from "./proxy.js";
import { seededRandom } from "../util/random.js";
import { DCS_PROXY_CALLS, type ControlLine, type ControlRequest } from "./types.js";

/**
 * The DCS fault proxy as a program: what the proxy container runs (container-proxy.ts ships this
 * file and the modules it imports into the lab image and starts it with Node.js). The lab's
 * Patroni nodes reach it on the lab network, and it reaches the etcd members by name there,
 * so nothing crosses between the lab and the machine pgchaos runs on but the control lines.
 *
 * argv[2]: JSON { nodes, members, leaderKey, upstreamPort, seed }. Control: one JSON request a
 * line on stdin, replies and notices on stdout (types.ts, ControlLine). When stdin ends (pgchaos
 * went away) the proxy closes and the program exits.
 */
interface ProgramConfig {
  nodes: string[];
  members: string[];
  leaderKey: string;
  upstreamPort: number;
  seed: number;
}

function emit(line: ControlLine) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main() {
  const cfg = JSON.parse(process.argv[2] ?? "") as ProgramConfig;
  const proxy = await DcsProxy.start({
    listenHost: "0.0.0.0",
    nodes: cfg.nodes,
    members: cfg.members,
    // By name on the lab network: Docker's DNS follows a member that restarts with a new address.
    upstream: (member) => ({ host: member, port: cfg.upstreamPort }),
    leaderKey: cfg.leaderKey,
    random: seededRandom(cfg.seed),
  });
  proxy.onNotice((notice) => emit({ notice }));
  const calls = new Set<string>(DCS_PROXY_CALLS);
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (text) => {
    if (!text.trim()) return;
    let req: ControlRequest;
    try {
      req = JSON.parse(text) as ControlRequest;
    } catch {
      process.stderr.write(`dcs proxy: not a control request: ${text.slice(0, 200)}\n`);
      return;
    }
    if (!calls.has(req.call)) {
      emit({ id: req.id, error: `unknown call '${req.call}'` });
      return;
    }
    try {
      const fn = proxy[req.call] as (...a: unknown[]) => unknown;
      emit({ id: req.id, result: fn.apply(proxy, req.args ?? []) });
    } catch (e) {
      emit({ id: req.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
  lines.on("close", () => {
    void proxy.close().then(() => process.exit(0));
  });
  emit({ ready: { routes: proxy.listRoutes() } });
}

main().catch((e: unknown) => {
  process.stderr.write(`dcs proxy: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
