import path from "node:path";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type Dockerode from "dockerode";
import { composeDir } from "../util/paths.js";
import { UserFacingError } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { stackByName } from "../stacks/stacks.js";
import { LAB_IMAGE_REPO, addLabels, buildImage, ensureBaseImage, imageExists } from "./lab-image.js";
import { probeOutput } from "./facts.js";
import type { LabImage } from "./resolve.js";

/**
 * The rolling-upgrade layer: a stack's lab image plus a newer Patroni beside its own, for the
 * upgrade-patroni action. The newer Patroni is the patroni package of another stack's Debian
 * suite (StackRecipe.patroniUpgradeFrom), unpacked under /opt/patroni/VERSION and run with the
 * image's own Python (compose/upgrade/). Which versions an image carries is read from the image.
 */

/** Where the newer Patronis live in an image: /opt/patroni/VERSION/bin/{patroni,patronictl}. */
export const PATRONI_BESIDE_DIR = "/opt/patroni";
/** Image label listing the Patroni versions beside the image's own (comma-separated), read once after the build. */
export const PATRONI_BESIDE_LABEL = "pgchaos.patroni.beside";

const LAYER_FILES = ["Dockerfile", "install-patroni"];
const layerDir = path.join(composeDir, "upgrade");

/** Lists what each /opt/patroni/*\/bin/patroni says its version is (the binary's own answer, not the directory's name). */
const BESIDE_PROBE = `for d in ${PATRONI_BESIDE_DIR}/*/; do [ -x "$d/bin/patroni" ] && "$d/bin/patroni" --version 2>/dev/null | sed -n 's/^patroni //p'; done; exit 0`;

/** Parses the probe's answer: one version a line. */
export function parseBeside(text: string): string[] {
  return [
    ...new Set(
      text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^\d+\.\d+/.test(l)),
    ),
  ].sort();
}

/** The Patroni versions an image carries beside its own: its label when pgchaos built it, else asked of the image. */
export async function patroniBeside(docker: Dockerode, image: string): Promise<string[]> {
  const labels = (await docker.getImage(image).inspect()).Config?.Labels ?? {};
  const label = labels[PATRONI_BESIDE_LABEL];
  if (label !== undefined) return label ? label.split(",") : [];
  return parseBeside(await probeOutput(docker, image, BESIDE_PROBE, "patroni-beside"));
}

/** The upgrade layer's tag: the stack image it is built on, the layer's recipe and the newer suite's base. */
async function layerTag(stackName: string, labImageRef: string, nextBase: string): Promise<string> {
  const h = createHash("sha256").update(labImageRef).update("\0").update(nextBase);
  for (const f of LAYER_FILES) h.update("\0").update(f).update("\0").update(await readFile(path.join(layerDir, f)));
  return `${LAB_IMAGE_REPO}:${stackName}-upgrade-${h.digest("hex").slice(0, 12)}`;
}

/**
 * The lab image with the newer Patroni beside its own, built on first use (cached after). A
 * user's own image and a stack without an upgrade layer are used as they are: what they carry
 * beside their Patroni is read from them.
 */
export async function withPatroniUpgrades(docker: Dockerode, progress: Progress, labImage: LabImage): Promise<LabImage> {
  const stack = labImage.stack !== undefined && labImage.ref.startsWith(`${LAB_IMAGE_REPO}:`) ? stackByName(labImage.stack) : undefined;
  if (!stack?.patroniUpgradeFrom) return { ...labImage, patroniBeside: await patroniBeside(docker, labImage.ref) };
  const next = stackByName(stack.patroniUpgradeFrom);
  const nextBase = await ensureBaseImage(docker, progress, next);
  const tag = await layerTag(stack.name, labImage.ref, nextBase);
  if (!(await imageExists(docker, tag))) {
    progress(`building upgrade layer ${tag}: stack ${stack.name}'s image with ${next.suite}'s Patroni beside its own ...`);
    await buildImage(
      docker,
      tag,
      { context: layerDir, src: LAYER_FILES },
      { buildargs: { LAB_IMAGE: labImage.ref, NEXT_BASE: nextBase }, labels: { "pgchaos.stack": stack.name, "pgchaos.upgrade.of": labImage.ref, "pgchaos.upgrade.from-suite": next.suite } },
      progress,
    );
    const beside = parseBeside(await probeOutput(docker, tag, BESIDE_PROBE, "patroni-beside"));
    if (!beside.length) throw new UserFacingError(`the upgrade layer ${tag} was built but no Patroni under ${PATRONI_BESIDE_DIR} answers --version`);
    await addLabels(docker, tag, { [PATRONI_BESIDE_LABEL]: beside.join(",") });
  }
  const beside = await patroniBeside(docker, tag);
  progress(`upgrade layer ${tag}: Patroni ${labImage.facts.versions.patroni} (the image's own) and ${beside.join(", ")} beside it`);
  return { ...labImage, ref: tag, patroniBeside: beside };
}
