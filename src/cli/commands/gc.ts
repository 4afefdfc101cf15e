import { ensureEngine } from "../../engine/docker-engine.js";
import { collectGarbage } from "../../lab/gc.js";
import { stderrProgress } from "../../util/progress.js";

export async function gcCommand(o: { all: boolean }, out: (s: string) => void): Promise<number> {
  const docker = await ensureEngine(stderrProgress);
  const r = await collectGarbage(docker, { all: o.all });
  if (!r.containers.length && !r.networks.length && !r.volumes.length) out("nothing to remove");
  else out(`removed ${r.containers.length} containers, ${r.networks.length} networks and ${r.volumes.length} volumes of runs ${r.runs.join(", ")}`);
  return 0;
}
