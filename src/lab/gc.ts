import { hostname } from "node:os";
import type Dockerode from "dockerode";
import { LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_RUN } from "./labels.js";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A run is dead when its owner process (on this host) no longer exists. Runs of other hosts are left alone. */
function ownerDead(labels: Record<string, string> | undefined): boolean {
  if (!labels) return false;
  if (labels[LABEL_OWNER_HOST] !== hostname()) return false;
  const pid = Number(labels[LABEL_OWNER_PID]);
  return !Number.isFinite(pid) || pid === process.pid ? false : !processAlive(pid);
}

export interface GcResult {
  containers: string[];
  networks: string[];
  volumes: string[];
  runs: string[];
}

/**
 * Removes containers, networks and data volumes left by pgchaos runs whose process is gone (or
 * all of them with `all`). Each run also calls this at start, so a killed run is reaped by the
 * next one.
 */
export async function collectGarbage(docker: Dockerode, opts: { all?: boolean } = {}): Promise<GcResult> {
  const filters = JSON.stringify({ label: [LABEL_RUN] });
  const res: GcResult = { containers: [], networks: [], volumes: [], runs: [] };
  const runs = new Set<string>();
  const containers = await docker.listContainers({ all: true, filters });
  for (const c of containers) {
    if (!opts.all && !ownerDead(c.Labels)) continue;
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .then(() => {
        res.containers.push(c.Names[0]?.replace(/^\//, "") ?? c.Id);
        runs.add(c.Labels[LABEL_RUN]);
      })
      .catch(() => {});
  }
  const networks = await docker.listNetworks({ filters });
  for (const n of networks) {
    if (!opts.all && !ownerDead(n.Labels)) continue;
    await docker
      .getNetwork(n.Id)
      .remove()
      .then(() => {
        res.networks.push(n.Name);
        runs.add(n.Labels?.[LABEL_RUN] ?? "");
      })
      .catch(() => {});
  }
  // After the containers: a volume in use cannot be removed.
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  for (const v of volumes) {
    if (!opts.all && !ownerDead(v.Labels ?? undefined)) continue;
    await docker
      .getVolume(v.Name)
      .remove()
      .then(() => {
        res.volumes.push(v.Name);
        runs.add(v.Labels?.[LABEL_RUN] ?? "");
      })
      .catch(() => {});
  }
  res.runs = [...runs].filter(Boolean).sort();
  return res;
}
