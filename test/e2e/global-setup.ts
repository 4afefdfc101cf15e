import type { TestProject } from "vitest/node";
import { allowSystemChanges, ensureEngine } from "../../src/engine/docker-engine.js";
import { ensureLabImage } from "../../src/image/lab-image.js";
import { collectGarbage } from "../../src/lab/gc.js";
import { stderrProgress } from "../../src/util/progress.js";

declare module "vitest" {
  export interface ProvidedContext {
    labImage: string;
  }
}

/**
 * Once per e2e run: a Docker engine (installed and started if this is a fresh Debian
 * machine), the lab image (built on first use), and no leftovers of dead runs.
 */
export default async function setup(project: TestProject) {
  process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
  // The suite may prepare its machine (a fresh CI runner has an engine installed but not running).
  allowSystemChanges();
  const docker = await ensureEngine(stderrProgress);
  await collectGarbage(docker);
  const image = await ensureLabImage(docker, stderrProgress);
  process.env.PGCHAOS_IMAGE = image;
  project.provide("labImage", image);
}
