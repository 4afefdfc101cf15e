import { randomInt } from "node:crypto";
import { UserFacingError } from "./errors.js";

/** A source of numbers in [0, 1), like Math.random. */
export type Random = () => number;

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator, public domain): small, fast and well known;
 * enough for the harness's random choices (jitter, error probabilities), not for anything secret.
 * Credentials never come from here (they use node:crypto).
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fresh seed (0 .. 2^32-1) when none is given. */
export function newSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}

/** `--seed` (or PGCHAOS_SEED): a whole number from 0 to 4294967295; a new random seed when absent. */
export function parseSeed(v: string | undefined): number {
  const raw = v ?? process.env.PGCHAOS_SEED;
  if (raw === undefined || raw === "") return newSeed();
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) throw new UserFacingError(`--seed must be a whole number from 0 to 4294967295, not '${raw}'`);
  return n;
}

/**
 * An independent, reproducible stream per purpose ("dcs-proxy", a scenario name): the choices
 * of one do not shift when another draws more numbers.
 */
export function derivedRandom(seed: number, purpose: string): Random {
  let h = seed >>> 0;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193) >>> 0;
  return seededRandom(h);
}
