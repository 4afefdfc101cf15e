import type Dockerode from "dockerode";
import type { Progress } from "../util/progress.js";
import { stackByName } from "../stacks/stacks.js";
import { ensureLabImage } from "./lab-image.js";
import { checkedImageFacts, type ImageFacts } from "./facts.js";

/** The image a lab runs on and what it holds. */
export interface LabImage {
  ref: string;
  /** The pgchaos stack it was built from; absent for a user's own image. */
  stack?: string;
  facts: ImageFacts;
  /** Patroni versions installed beside the image's own, for upgrade-patroni (src/image/upgrade-layer.ts); read when a scenario upgrades. */
  patroniBeside?: string[];
}

/**
 * The lab's image: a user's own (`image`, checked against docs/image-contract.md) or a stack's
 * (built on first use). Every problem is a clear error before any lab container starts.
 */
export async function resolveLabImage(docker: Dockerode, progress: Progress, o: { stack?: string; image?: string } = {}): Promise<LabImage> {
  if (o.image) {
    const facts = await checkedImageFacts(docker, o.image);
    return { ref: o.image, facts, ...(facts.stack ? { stack: facts.stack } : {}) };
  }
  if (o.stack !== undefined) stackByName(o.stack);
  const ref = await ensureLabImage(docker, progress, { stack: o.stack });
  const facts = await checkedImageFacts(docker, ref);
  const stack = facts.stack ?? o.stack;
  return { ref, facts, ...(stack ? { stack } : {}) };
}
