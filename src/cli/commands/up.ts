import path from "node:path";
import { startLab } from "../../lab/start-lab.js";
import { clusterSpec } from "../../lab/topology.js";
import { interruptSignal, runCleanup } from "../../util/cleanup.js";
import { stderrProgress } from "../../util/progress.js";
import { PATRONI_REST_PORT, PG_PORT } from "../../lab/patroni-config.js";
import { ETCD_CLIENT_PORT } from "../../lab/etcd-command.js";
import { HAPROXY_PRIMARY_PORT, HAPROXY_REPLICA_PORT, HAPROXY_STATS_PORT } from "../../lab/haproxy-config.js";
import { UserFacingError } from "../../util/errors.js";

export interface UpOptions {
  etcd: number;
  patroni: number;
  /** Take topology and Patroni settings from this scenario file instead of the flags. */
  scenario?: string;
  reportsDir: string;
  /** Print the superuser password (lab only; off by default so logs stay clean). */
  showSecrets: boolean;
  /** The lab's stack (default bookworm), or a user's own image. */
  stack?: string;
  image?: string;
}

/** Starts a cluster, prints how to reach it, and keeps it until Ctrl-C (or SIGTERM). */
export async function upCommand(o: UpOptions, out: (s: string) => void): Promise<number> {
  let spec = clusterSpec({ etcd: { members: o.etcd, preVote: false }, patroni: { nodes: o.patroni } });
  if (o.scenario) {
    const { loadScenario, ScenarioError } = await import("../../scenario/load.js");
    const { specFor } = await import("../../runner/run-scenario.js");
    try {
      spec = specFor(await loadScenario(o.scenario));
    } catch (e) {
      if (e instanceof ScenarioError) throw new UserFacingError(e.message);
      throw e;
    }
  }
  const { newRunId } = await import("../../lab/run-id.js");
  const runId = newRunId();
  const reportDir = path.join(o.reportsDir, runId);
  // Whoever uses the lab may `docker stop` a node: its data directory must be there when it starts again.
  spec = { ...spec, keepDataWhileStopped: true };
  const started = await startLab(spec, { progress: stderrProgress, reportDir, runId, signal: interruptSignal, stack: o.stack, image: o.image, publishPorts: true });
  const { lab, ready } = started;
  out(`pgchaos lab ${lab.runId} is ready (leader ${ready.leader}; etcd ${ready.etcdSec.toFixed(1)} s, leader ${ready.leaderSec.toFixed(1)} s, replicas ${ready.replicasSec.toFixed(1)} s)`);
  out(`network: ${lab.networkName}   logs: ${path.join(reportDir, "logs")}`);
  const v = started.labImage.facts.versions;
  out(`image: ${started.image}${started.labImage.stack ? ` (stack ${started.labImage.stack})` : ""}: Patroni ${v.patroni}, PostgreSQL ${v.postgresql}, etcd ${v.etcd}`);
  for (const n of lab.nodes) {
    if (n.kind === "etcd") {
      const e = n.publishedEndpoint(ETCD_CLIENT_PORT);
      out(`  ${n.name.padEnd(5)} etcd     http://${e.host}:${e.port}   (docker exec -it pgchaos-${lab.runId}-${n.name} etcdctl endpoint status)`);
    } else if (n.kind === "haproxy") {
      const [w, r, st] = [HAPROXY_PRIMARY_PORT, HAPROXY_REPLICA_PORT, HAPROXY_STATS_PORT].map((x) => n.publishedEndpoint(x));
      out(`  ${n.name.padEnd(5)} haproxy  primary postgres://postgres@${w.host}:${w.port}/postgres   replicas :${r.port}   stats http://${st.host}:${st.port}/`);
    } else {
      const r = n.publishedEndpoint(PATRONI_REST_PORT);
      const p = n.publishedEndpoint(PG_PORT);
      out(`  ${n.name.padEnd(5)} patroni  http://${r.host}:${r.port}/patroni   postgres://postgres@${p.host}:${p.port}/postgres`);
    }
  }
  out(`  patronictl: docker exec -it pgchaos-${lab.runId}-pg1 patronictl -c /etc/patroni/patroni.yml list`);
  if (o.showSecrets) out(`  superuser password: ${lab.secrets.superuserPassword}`);
  out("Ctrl-C stops the lab and removes its containers and network.");
  await new Promise<void>((resolve) => interruptSignal.addEventListener("abort", () => resolve(), { once: true }));
  await runCleanup();
  out("lab removed");
  return 0;
}
