/**
 * The GenKit a kind's generator draws from (the API is src/scenario/explore-kit.ts): node
 * references of the base scenario's topology, target lists, durations as written in YAML.
 */
import type * as FC from "fast-check";
import type { Arbitrary, GenFacts, GenKit } from "../scenario/explore-kit.js";
import type { NodeKind } from "../scenario/primitives.js";

/**
 * Stands for "the step before this one" in `leader@`/`replica@` references while a schedule is
 * drawn; the schedule rewrites it to that step's id (or `start` for the first step).
 */
export const PREV_STEP = "<prev>";

/** A duration in milliseconds as written: `7s` for whole seconds, else `250ms`. */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function makeGenKit(fc: typeof FC, facts: GenFacts, timings: GenKit["timings"]): GenKit {
  const { nodes } = facts;
  const namesOf = (kinds: readonly NodeKind[]) => kinds.flatMap((k) => nodes[k]);
  const roles = (anchor: string) => [`leader@${anchor}`, ...(nodes.patroni.length > 1 ? [`replica@${anchor}`] : [])];
  const roleRefs = [...roles("start"), ...roles(PREV_STEP)];
  const need = (names: string[], kinds: readonly NodeKind[]) => {
    if (!names.length) throw new Error(`explore: the base topology has no node of kind ${kinds.join(" or ")} (a generator asked for one; its applies() should say so)`);
    return names;
  };

  const name = (kinds: readonly NodeKind[]) => fc.constantFrom(...need(namesOf(kinds), kinds));
  const ref = (kinds: readonly NodeKind[]): Arbitrary<string> => {
    const names = namesOf(kinds);
    if (!kinds.includes("patroni") || !nodes.patroni.length) return name(kinds);
    // Roles weigh as much as all the names together: what the cluster does to its leader matters most.
    return names.length ? fc.oneof(fc.constantFrom(...roleRefs), fc.constantFrom(...names)) : fc.constantFrom(...roleRefs);
  };
  const names = (kinds: readonly NodeKind[], opts: { min?: number; max?: number } = {}) => {
    const all = need(namesOf(kinds), kinds);
    const min = Math.min(Math.max(1, opts.min ?? 1), all.length);
    return fc.subarray(all, { minLength: min, maxLength: Math.max(min, Math.min(opts.max ?? all.length, all.length)) });
  };
  const targets = (kinds: readonly NodeKind[], opts: { max?: number } = {}): Arbitrary<string | string[]> => {
    const max = opts.max ?? Number.POSITIVE_INFINITY;
    const options: Arbitrary<string | string[]>[] = [ref(kinds)];
    if (max > 1 && namesOf(kinds).length > 1) options.push(names(kinds, { min: 2, max }));
    // The leader and a replica of one moment: never the same node.
    if (max > 1 && kinds.includes("patroni") && nodes.patroni.length > 1) options.push(fc.constantFrom("start", PREV_STEP).map((a) => [`leader@${a}`, `replica@${a}`]));
    return options.length === 1 ? options[0] : fc.oneof(...options);
  };
  const duration = (minMs: number, maxMs: number): Arbitrary<string> => {
    if (minMs >= 1000) return fc.integer({ min: Math.ceil(minMs / 1000), max: Math.max(Math.ceil(minMs / 1000), Math.floor(maxMs / 1000)) }).map((s) => `${s}s`);
    return fc.integer({ min: Math.max(1, Math.ceil(minMs / 50)), max: Math.max(1, Math.floor(maxMs / 50)) }).map((n) => formatMs(n * 50));
  };
  const signedDuration = (minMs: number, maxMs: number): Arbitrary<string> =>
    fc.tuple(fc.constantFrom("+", "-"), duration(minMs, maxMs)).map(([sign, d]) => `${sign}${d}`);

  return { fc, ...facts, timings, ref, name, names, targets, duration, signedDuration };
}
