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

/** Weight of item `key` on shard `shard` (1-based): the first 48 bits of sha256("shard/key"). */
function weight(shard: number, key: string): number {
  return createHash("sha256").update(`${shard}/${key}`).digest().readUIntBE(0, 6);
}

/** The shard (1..count) that owns `key`: the one with the highest weight for it. */
export function shardOf(key: string, count: number): number {
  let best = 1;
  let bestW = -1;
  for (let s = 1; s <= count; s++) {
    const w = weight(s, key);
    if (w > bestW) [best, bestW] = [s, w];
  }
  return best;
}

/**
 * Deterministic share of the items for shard I of N by rendezvous (highest-random-weight)
 * hashing: each item goes to the shard whose hash of (shard, key) is highest. Every runner
 * computes the same split without talking to the others, and an item's shard depends on its
 * own key only, so adding or removing a scenario never moves another one (unlike dealing a
 * sorted list round-robin, which shifts everything after the insertion point). The price:
 * shares are balanced only on average. Items keep their given order.
 */
export function selectShard<T>(items: readonly T[], shard: Shard, key: (t: T) => string): T[] {
  return items.filter((t) => shardOf(key(t), shard.count) === shard.index);
}
