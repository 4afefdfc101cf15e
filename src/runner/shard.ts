import { createHash } from "node:crypto";
import { UserFacingError } from "../util/errors.js";

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(v: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UserFacingError(`--shard must look like I/N with 1 <= I <= N (e.g. 2/3), not '${v}'`);
  return { index, count };
}

/**
 * Deterministic share of the items for shard I of N: items sorted by a hash of their key and
 * dealt round-robin, so every runner computes the same split without talking to the others
 * and adding a scenario moves few others.
 */
export function selectShard<T>(items: readonly T[], shard: Shard, key: (t: T) => string): T[] {
  const h = (s: string) => createHash("sha256").update(s).digest("hex");
  const sorted = [...items].sort((a, b) => (h(key(a)) < h(key(b)) ? -1 : h(key(a)) > h(key(b)) ? 1 : 0));
  return sorted.filter((_, i) => i % shard.count === shard.index - 1);
}
