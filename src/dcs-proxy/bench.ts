import { rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { DockerLab } from "../lab/docker-lab.js";
import { clusterSpec } from "../lab/topology.js";
import { ETCD_CLIENT_PORT } from "../lab/etcd-command.js";
import { etcdHttp } from "../lab/lab-clients.js";
import { newRunId } from "../lab/run-id.js";
import { onCleanup } from "../util/cleanup.js";
import { waitFor } from "../util/time.js";
import { ContainerDcsProxy } from "./container-proxy.js";
import { runLabels } from "../lab/labels.js";
import { JsonMessageSplitter } from "./watch-messages.js";

export interface ProxyLatency {
  requests: number;
  /** Round trips of a serializable range (ms): straight to etcd, and through the proxy. */
  direct: number[];
  proxied: number[];
  /** Per pair (same iteration): proxied minus direct. */
  added: number[];
  /** Watch events: arrival on the proxied stream minus arrival on a direct stream of the same change (ms). */
  watchAdded: number[];
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

function post(host: string, port: number, p: string, body: Buffer, agent: http.Agent): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: "POST", path: p, agent, headers: { "content-type": "application/json", "content-length": body.length } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Opens a watch on `key` and calls back with the arrival time of each event message. */
function watch(host: string, port: number, key: string, onEvent: (value: string, at: number) => void): Promise<http.ClientRequest> {
  const body = Buffer.from(JSON.stringify({ create_request: { key: b64(key) } }));
  return new Promise((resolve, reject) => {
    const split = new JsonMessageSplitter();
    const req = http.request(
      { host, port, method: "POST", path: "/v3/watch", agent: false, headers: { "content-type": "application/json", "content-length": body.length } },
      (res) => {
        res.on("data", (c: Buffer) => {
          const at = performance.now();
          for (const m of split.push(c)) {
            if (!m.trim()) continue;
            for (const e of JSON.parse(m).result?.events ?? []) onEvent(Buffer.from(e.kv.value ?? "", "base64").toString(), at);
          }
        });
        res.on("error", () => {});
        resolve(req);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The proxy's own added latency against a real etcd container: a one-member lab, the proxy
 * container on the lab network as in a scenario, a keep-alive client in this process (which
 * reaches container addresses: a local engine). Range requests alternate between etcd directly
 * (its address on the lab network, through the same bridge) and the proxy, so both see the same
 * machine load; watch events are timed on a direct and a proxied stream of the same key.
 */
export async function measureProxyLatency(docker: Dockerode, image: string, requests = 3000, watchEvents = 300): Promise<ProxyLatency> {
  const runId = newRunId();
  // The containers' logs, for a failed measurement; removed with the lab otherwise.
  const logDir = path.join(os.tmpdir(), `pgchaos-bench-proxy-${runId}`);
  let keepLogs = false;
  const lab = await DockerLab.start(clusterSpec({ etcd: { members: 1, preVote: false }, patroni: { nodes: 0 } }), {
    docker,
    image,
    runId,
    logDir,
    progress: () => {},
  }).catch((e: unknown) => {
    if (e instanceof Error) e.message += ` (container logs: ${logDir})`;
    throw e;
  });
  let proxy: ContainerDcsProxy | undefined;
  const dispose = async () => {
    await proxy?.close();
    await lab.teardown();
    if (!keepLogs) await rm(logDir, { recursive: true, force: true });
  };
  const unregister = onCleanup(`remove proxy bench lab ${runId}`, dispose);
  try {
    await waitFor("etcd healthy", () => etcdHttp(lab, "e1").health().catch(() => false), { timeoutMs: 60_000 });
    const etcdIp = lab.node("e1").ip;
    proxy = await ContainerDcsProxy.start({
      docker,
      image,
      network: lab.networkName!,
      name: `pgchaos-${runId}-dcs-proxy`,
      labels: runLabels(runId),
      nodes: ["bench"],
      members: ["e1"],
      leaderKey: "/bench/leader",
      upstreamPort: ETCD_CLIENT_PORT,
      seed: 1,
    });
    const [proxyHost, proxyPort] = proxy.address("bench", "e1").split(":");
    const direct = { host: etcdIp, port: ETCD_CLIENT_PORT, agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    const viaProxy = { host: proxyHost, port: Number(proxyPort), agent: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    const putBody = (v: string) => Buffer.from(JSON.stringify({ key: b64("/bench/k"), value: b64(v) }));
    await post(direct.host, direct.port, "/v3/kv/put", putBody("0"), direct.agent);
    const range = Buffer.from(JSON.stringify({ key: b64("/bench/k"), serializable: true }));
    const out: ProxyLatency = { requests, direct: [], proxied: [], added: [], watchAdded: [] };
    for (let i = 0; i < 300; i++) {
      await post(direct.host, direct.port, "/v3/kv/range", range, direct.agent);
      await post(viaProxy.host, viaProxy.port, "/v3/kv/range", range, viaProxy.agent);
    }
    for (let i = 0; i < requests; i++) {
      // Alternate which goes first, so neither always runs on a warmer path.
      const first = i % 2 === 0;
      const a = await post(first ? direct.host : viaProxy.host, first ? direct.port : viaProxy.port, "/v3/kv/range", range, first ? direct.agent : viaProxy.agent);
      const b = await post(first ? viaProxy.host : direct.host, first ? viaProxy.port : direct.port, "/v3/kv/range", range, first ? viaProxy.agent : direct.agent);
      const [d, p] = first ? [a, b] : [b, a];
      out.direct.push(d);
      out.proxied.push(p);
      out.added.push(p - d);
    }
    // Watch: the same change seen on a direct and a proxied stream.
    const seenDirect = new Map<string, number>();
    const seenProxy = new Map<string, number>();
    const w1 = await watch(direct.host, direct.port, "/bench/w", (v, at) => seenDirect.set(v, at));
    const w2 = await watch(viaProxy.host, viaProxy.port, "/bench/w", (v, at) => seenProxy.set(v, at));
    await new Promise((r) => setTimeout(r, 300));
    const wPut = (v: string) => Buffer.from(JSON.stringify({ key: b64("/bench/w"), value: b64(v) }));
    for (let i = 0; i < watchEvents; i++) {
      await post(direct.host, direct.port, "/v3/kv/put", wPut(String(i)), direct.agent);
      await waitFor("event on both streams", async () => seenDirect.has(String(i)) && seenProxy.has(String(i)), { timeoutMs: 5000, intervalMs: 1 });
      out.watchAdded.push(seenProxy.get(String(i))! - seenDirect.get(String(i))!);
    }
    w1.destroy();
    w2.destroy();
    direct.agent.destroy();
    viaProxy.agent.destroy();
    return out;
  } catch (e) {
    keepLogs = true;
    if (e instanceof Error) e.message += ` (container logs: ${logDir})`;
    throw e;
  } finally {
    unregister();
    await dispose();
  }
}
