import { ensureEngine } from "../../engine/docker-engine.js";
import { ensureLabImage } from "../../image/lab-image.js";
import { imageFacts } from "../../image/facts.js";
import { stackByName } from "../../stacks/stacks.js";
import { stderrProgress } from "../../util/progress.js";

/** `pgchaos image [--stack NAME] [--force]`: builds a stack's lab image and prints its tag and versions. */
export async function imageCommand(o: { force: boolean; stack?: string }, out: (s: string) => void): Promise<number> {
  if (o.stack !== undefined) stackByName(o.stack); // an unknown stack is an error before the engine is touched
  const docker = await ensureEngine(stderrProgress);
  const tag = await ensureLabImage(docker, stderrProgress, { force: o.force, stack: o.stack });
  out(tag);
  return 0;
}

/**
 * `pgchaos image check REF`: what an image lacks of docs/image-contract.md (exit 1 when
 * anything), and what it runs.
 */
export async function imageCheckCommand(ref: string, out: (s: string) => void): Promise<number> {
  const docker = await ensureEngine(stderrProgress);
  const f = await imageFacts(docker, ref);
  out(`image ${ref}${f.stack ? ` (pgchaos stack ${f.stack})` : ""}`);
  out(`  PostgreSQL ${f.versions.postgresql || "(not found)"}, bin directory ${f.pgBinDir || "(not found)"}`);
  out(`  Patroni ${f.versions.patroni || "(not found)"}`);
  out(`  etcd ${f.versions.etcd || "(not found)"}`);
  out(`  HAProxy ${f.versions.haproxy || "(not found: topology.haproxy cannot run on it)"}`);
  if (!f.missing.length) {
    out("meets pgchaos's image contract (docs/image-contract.md)");
    return 0;
  }
  out(`does not meet pgchaos's image contract (docs/image-contract.md); it lacks:`);
  for (const m of f.missing) out(`  - ${m}`);
  return 1;
}
