import path from "node:path";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import type Dockerode from "dockerode";
import { execa } from "execa";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { composeDir } from "../util/paths.js";
import { UserFacingError, errorText } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { recipeFiles, recipeHash } from "./recipe.js";
import { systemPackagesAllowed } from "../engine/docker-engine.js";
import { DEFAULT_STACK, stackBuildArgs, stackByName, type StackRecipe } from "../stacks/stacks.js";
import { factLabels, probeImage, type ImageFacts } from "./facts.js";

export const LAB_IMAGE_REPO = "pgchaos-lab";

export async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch {
    return false;
  }
}

async function tryPull(docker: Dockerode, tag: string, progress: Progress): Promise<boolean> {
  try {
    const stream = await docker.pull(tag);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    return true;
  } catch (e) {
    progress(`cannot pull ${tag} (${errorText(e).split("\n")[0].slice(0, 120)}); building a base with debootstrap instead`);
    return false;
  }
}

/**
 * The base image: the official Debian slim image where it is present or can be pulled;
 * otherwise one pgchaos makes itself with debootstrap + docker import, tagged under our own
 * name (never impersonating the official one).
 */
export async function ensureBaseImage(docker: Dockerode, progress: Progress, stack: StackRecipe = stackByName(DEFAULT_STACK)): Promise<string> {
  // PGCHAOS_BASE_IMAGE names a bookworm base (the default stack's), as it always did.
  if (process.env.PGCHAOS_BASE_IMAGE && stack.name === DEFAULT_STACK) return process.env.PGCHAOS_BASE_IMAGE;
  const OFFICIAL_BASE = `debian:${stack.suite}-slim`;
  const script = path.join(composeDir, "base", "make-base.sh");
  const scriptHash = createHash("sha256").update(await readFile(script)).digest("hex").slice(0, 12);
  const ownBase = `pgchaos-base:${stack.suite}-${scriptHash}`;
  if (await imageExists(docker, ownBase)) return ownBase;
  if (await imageExists(docker, OFFICIAL_BASE)) return OFFICIAL_BASE;
  if (await tryPull(docker, OFFICIAL_BASE, progress)) return OFFICIAL_BASE;

  if (!existsSync("/usr/sbin/debootstrap")) {
    if (process.getuid?.() !== 0 || !existsSync("/etc/debian_version") || !systemPackagesAllowed()) {
      throw new UserFacingError(
        `No base image: ${OFFICIAL_BASE} cannot be pulled and debootstrap is not installed; install debootstrap (root, Debian; \`bash scripts/setup.sh\` or --install-engine do it)${stack.name === DEFAULT_STACK ? " or set PGCHAOS_BASE_IMAGE to a local Debian bookworm image" : ""}.`,
      );
    }
    progress("installing debootstrap (apt-get) ...");
    await execa("apt-get", ["install", "-y", "-q", "debootstrap"], { env: { DEBIAN_FRONTEND: "noninteractive" } }).catch(
      async () => {
        await execa("apt-get", ["update", "-q"]);
        await execa("apt-get", ["install", "-y", "-q", "debootstrap"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
      },
    );
  }
  progress(`building base image ${ownBase} with debootstrap (about a minute) ...`);
  const p = execa("bash", [script, ownBase, stack.suite], { all: true, reject: false });
  p.all?.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) progress(line.trim());
  });
  const r = await p;
  if (r.exitCode !== 0) throw new UserFacingError(`Building the base image failed:\n${r.all?.split("\n").slice(-15).join("\n")}`);
  return ownBase;
}

/** The lab image's tag for a stack: the stack's name and a hash of the recipe and its build arguments. */
export async function labImageTag(stack: StackRecipe = stackByName(DEFAULT_STACK)): Promise<string> {
  const h = createHash("sha256")
    .update(await recipeHash(composeDir))
    .update(JSON.stringify(stackBuildArgs(stack)))
    .digest("hex")
    .slice(0, 12);
  return `${LAB_IMAGE_REPO}:${stack.name}-${h}`;
}

/**
 * The lab image of a stack, built on first use (and whenever the recipe changed), with progress
 * shown. PGCHAOS_IMAGE, when set, replaces the default stack's image (not a named stack's).
 */
export async function ensureLabImage(docker: Dockerode, progress: Progress, opts: { force?: boolean; stack?: string } = {}): Promise<string> {
  if (process.env.PGCHAOS_IMAGE && opts.stack === undefined) return process.env.PGCHAOS_IMAGE;
  const stack = stackByName(opts.stack);
  const tag = await labImageTag(stack);
  if (!opts.force && (await imageExists(docker, tag))) return tag;
  const base = await ensureBaseImage(docker, progress, stack);
  progress(`building lab image ${tag} (stack ${stack.name}) from ${base} (a few minutes the first time) ...`);
  const src = await recipeFiles(composeDir);
  await buildImage(docker, tag, { context: composeDir, src }, { buildargs: { BASE: base, ...stackBuildArgs(stack) }, labels: { "pgchaos.recipe": tag.split(":")[1], "pgchaos.stack": stack.name } }, progress);
  if (!(await imageExists(docker, tag))) throw new UserFacingError(`Building ${tag} reported success but the image is missing`);
  const facts = await probeImage(docker, tag);
  if (facts.missing.length) throw new UserFacingError(`The lab image ${tag} misses parts of its own contract:\n${facts.missing.map((m) => `  - ${m}`).join("\n")}`);
  await recordFacts(docker, tag, facts);
  progress(`lab image ${tag} ready: Patroni ${facts.versions.patroni}, PostgreSQL ${facts.versions.postgresql}, etcd ${facts.versions.etcd}`);
  return tag;
}

/** Re-tags the image with its facts as labels (a one-line Dockerfile: seconds), so runs read them with an inspect. */
async function recordFacts(docker: Dockerode, tag: string, facts: ImageFacts): Promise<void> {
  await addLabels(docker, tag, factLabels(facts));
}

/** Re-tags an image with more labels (what was read from it after its build). */
export async function addLabels(docker: Dockerode, tag: string, labels: Record<string, string>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "pgchaos-labels-"));
  try {
    await writeFile(path.join(dir, "Dockerfile"), `FROM ${tag}\n`);
    await buildImage(docker, tag, { context: dir, src: ["Dockerfile"] }, { labels }, () => {});
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function buildImage(
  docker: Dockerode,
  tag: string,
  context: { context: string; src: string[] },
  opts: { buildargs?: Record<string, string>; labels: Record<string, string> },
  progress: Progress,
): Promise<void> {
  const stream = await docker.buildImage(context, { t: tag, ...opts, rm: true, forcerm: true });
  let lastStep = "";
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: { error?: string }[]) => {
        const failed = err ?? output.find((o) => o.error)?.error;
        if (failed) reject(new UserFacingError(`Building ${tag} failed: ${errorText(failed)}\n${tail.join("")}`));
        else resolve();
      },
      (ev: { stream?: string; error?: string }) => {
        if (!ev.stream) return;
        tail.push(ev.stream);
        if (tail.length > 20) tail.shift();
        const m = /^Step (\d+\/\d+) : (.*)/.exec(ev.stream);
        if (m && m[1] !== lastStep) {
          lastStep = m[1];
          progress(`  image step ${m[1]}: ${m[2].slice(0, 100)}`);
        }
      },
    ),
  );
}
