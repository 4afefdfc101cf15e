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
  /** Removes each one whose owner is gone (every one with `all`), noting its name and run. */
  const sweep = async <T>(items: T[], labels: (x: T) => Record<string, string> | undefined, remove: (x: T) => Promise<unknown>, name: (x: T) => string, into: string[]) => {
    for (const x of items) {
      if (!opts.all && !ownerDead(labels(x))) continue;
      await remove(x).then(
        () => {
          into.push(name(x));
          runs.add(labels(x)?.[LABEL_RUN] ?? "");
        },
        () => {},
      );
    }
  };
  await sweep(
    await docker.listContainers({ all: true, filters }),
    (c) => c.Labels,
    (c) => docker.getContainer(c.Id).remove({ force: true, v: true }),
    (c) => c.Names[0]?.replace(/^\//, "") ?? c.Id,
    res.containers,
  );
  await sweep(await docker.listNetworks({ filters }), (n) => n.Labels, (n) => docker.getNetwork(n.Id).remove(), (n) => n.Name, res.networks);
  // After the containers: a volume in use cannot be removed.
  await sweep((await docker.listVolumes({ filters })).Volumes ?? [], (v) => v.Labels ?? undefined, (v) => docker.getVolume(v.Name).remove(), (v) => v.Name, res.volumes);
  res.runs = [...runs].filter(Boolean).sort();
  return res;
}
