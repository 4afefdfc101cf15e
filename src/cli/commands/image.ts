import { ensureEngine } from "../../engine/docker-engine.js";
import { ensureLabImage } from "../../image/lab-image.js";
import { stderrProgress } from "../../util/progress.js";

export async function imageCommand(o: { force: boolean }, out: (s: string) => void): Promise<number> {
  const docker = await ensureEngine(stderrProgress);
  const tag = await ensureLabImage(docker, stderrProgress, { force: o.force });
  out(tag);
  return 0;
}
