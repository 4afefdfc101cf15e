import path from "node:path";
import { readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import type Dockerode from "dockerode";
import { execa } from "execa";
import { existsSync } from "node:fs";
import { composeDir } from "../util/paths.js";
import { UserFacingError, errorText } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { recipeFiles, recipeHash } from "./recipe.js";
import { systemPackagesAllowed } from "../engine/docker-engine.js";

export const LAB_IMAGE_REPO = "pgchaos-lab";
const OFFICIAL_BASE = "debian:bookworm-slim";

async function imageExists(docker: Dockerode, tag: string): Promise<boolean> {
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
export async function ensureBaseImage(docker: Dockerode, progress: Progress): Promise<string> {
  if (process.env.PGCHAOS_BASE_IMAGE) return process.env.PGCHAOS_BASE_IMAGE;
  const script = path.join(composeDir, "base", "make-base.sh");
  const scriptHash = createHash("sha256").update(await readFile(script)).digest("hex").slice(0, 12);
  const ownBase = `pgchaos-base:bookworm-${scriptHash}`;
  if (await imageExists(docker, ownBase)) return ownBase;
  if (await imageExists(docker, OFFICIAL_BASE)) return OFFICIAL_BASE;
  if (await tryPull(docker, OFFICIAL_BASE, progress)) return OFFICIAL_BASE;

  if (!existsSync("/usr/sbin/debootstrap")) {
    if (process.getuid?.() !== 0 || !existsSync("/etc/debian_version") || !systemPackagesAllowed()) {
      throw new UserFacingError(
        `No base image: ${OFFICIAL_BASE} cannot be pulled and debootstrap is not installed; install debootstrap (root, Debian; \`bash scripts/setup.sh\` or --install-engine do it) or set PGCHAOS_BASE_IMAGE to a local Debian bookworm image.`,
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
  const p = execa("bash", [script, ownBase], { all: true, reject: false });
  p.all?.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) progress(line.trim());
  });
  const r = await p;
  if (r.exitCode !== 0) throw new UserFacingError(`Building the base image failed:\n${r.all?.split("\n").slice(-15).join("\n")}`);
  return ownBase;
}

export async function labImageTag(): Promise<string> {
  return `${LAB_IMAGE_REPO}:${await recipeHash(composeDir)}`;
}

/** The lab image, built on first use (and whenever the recipe changed), with progress shown. */
export async function ensureLabImage(docker: Dockerode, progress: Progress, opts: { force?: boolean } = {}): Promise<string> {
  if (process.env.PGCHAOS_IMAGE) return process.env.PGCHAOS_IMAGE;
  const tag = await labImageTag();
  if (!opts.force && (await imageExists(docker, tag))) return tag;
  const base = await ensureBaseImage(docker, progress);
  progress(`building lab image ${tag} from ${base} (a few minutes the first time) ...`);
  const src = await recipeFiles(composeDir);
  const stream = await docker.buildImage(
    { context: composeDir, src },
    { t: tag, buildargs: { BASE: base }, labels: { "pgchaos.recipe": tag.split(":")[1] }, rm: true, forcerm: true },
  );
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
  if (!(await imageExists(docker, tag))) throw new UserFacingError(`Building ${tag} reported success but the image is missing`);
  progress(`lab image ${tag} ready`);
  return tag;
}
