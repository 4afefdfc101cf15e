/**
 * `pgchaos explore`'s options, parsed and checked before any lab starts (pure, but for the
 * stack names, checked against the stacks pgchaos knows).
 */
import { ACTION_TYPES, ACTIONS, isActionType, type ActionType } from "../actions/registry.js";
import { FAULT_TYPES, FAULTS, isFaultType, type FaultType } from "../faults/registry.js";
import { isExplored } from "../scenario/explore-kit.js";
import { closest } from "../scenario/suggest.js";
import { parseShard, type Shard } from "../runner/shard.js";
import { parseStackList } from "../gameday/matrix.js";
import { parseForOption } from "../gameday/schedule.js";
import { UserFacingError } from "../util/errors.js";
import { DEFAULT_MAX_STEPS } from "./schedule.js";

export interface ExploreCliValues {
  stack?: string;
  runs?: string;
  for?: string;
  faults?: string;
  actions?: string;
  "max-steps"?: string;
  reruns?: string;
  shard?: string;
  image?: string;
  "shrink-runs"?: string;
}

export interface ParsedExploreOptions {
  stacks: string[];
  runs?: number;
  forMs?: number;
  faults?: FaultType[];
  actions?: ActionType[];
  maxSteps: number;
  k: number;
  shard?: Shard;
  /** A user's own lab image (run --image): every schedule, rerun and shrink runs on it. */
  image?: string;
  /** Lab runs one shrink may spend (default 60). */
  shrinkRuns?: number;
}

function wholeNumber(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isInteger(n) || n < min || n > max) throw new UserFacingError(`${flag} must be a whole number from ${min} to ${max}, not '${v}'`);
  return n;
}

/** A comma-separated list of kinds; `none` for no kind of that sort. */
function kindList<T extends string>(flag: string, v: string, known: readonly T[], is: (s: string) => s is T, notExplored: (t: T) => string | undefined): T[] {
  if (v.trim() === "none") return [];
  const names = v.split(",").map((s) => s.trim());
  if (names.some((n) => !n)) throw new UserFacingError(`${flag}: an empty kind in '${v}'; give KIND or KIND,KIND,... (or none)`);
  for (const n of names) {
    if (!is(n)) {
      const guess = closest(n, known);
      throw new UserFacingError(`${flag}: unknown kind '${n}'${guess ? `; did you mean '${guess}'?` : ""} Kinds: ${known.join(", ")}`);
    }
    const why = notExplored(n);
    if (why) throw new UserFacingError(`${flag}: ${n} is not explored (${why})`);
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UserFacingError(`${flag}: '${twice}' is given twice`);
  // Registry order, whatever order they were given in: the same kinds draw the same schedules.
  return known.filter((k) => names.includes(k));
}

export function parseExploreOptions(v: ExploreCliValues): ParsedExploreOptions {
  if (v.runs !== undefined && v.for !== undefined) throw new UserFacingError("--runs and --for exclude each other: explore a number of schedules or for a time");
  const forMs = v.for === undefined ? undefined : parseForOption(v.for, "8h");
  const faultWhy = (t: FaultType) => {
    const e = FAULTS[t].explore;
    return isExplored(e) ? undefined : e.notExplored;
  };
  const actionWhy = (t: ActionType) => {
    const e = ACTIONS[t].explore;
    return isExplored(e) ? undefined : e.notExplored;
  };
  const faults = v.faults !== undefined ? kindList("--faults", v.faults, FAULT_TYPES, isFaultType, faultWhy) : undefined;
  const actions = v.actions !== undefined ? kindList("--actions", v.actions, ACTION_TYPES, isActionType, actionWhy) : undefined;
  if (faults?.length === 0 && actions?.length === 0) throw new UserFacingError("--faults none and --actions none leave nothing to explore");
  if (v.image !== undefined && !v.image.trim()) throw new UserFacingError("--image needs an image reference, e.g. pgchaos-lab:bookworm-<hash> or your own");
  if (v.image !== undefined && v.stack !== undefined) throw new UserFacingError("--stack and --image exclude each other: schedules run on pgchaos's stacks or on your image");
  return {
    stacks: v.stack !== undefined ? parseStackList(v.stack) : [],
    ...(v.runs !== undefined ? { runs: wholeNumber("--runs", v.runs, 1, 1_000_000) } : {}),
    ...(forMs !== undefined ? { forMs } : {}),
    ...(faults ? { faults } : {}),
    ...(actions ? { actions } : {}),
    maxSteps: v["max-steps"] !== undefined ? wholeNumber("--max-steps", v["max-steps"], 1, 50) : DEFAULT_MAX_STEPS,
    k: v.reruns !== undefined ? wholeNumber("--reruns", v.reruns, 1, 20) : 3,
    ...(v.shard !== undefined ? { shard: parseShard(v.shard) } : {}),
    ...(v.image !== undefined ? { image: v.image.trim() } : {}),
    ...(v["shrink-runs"] !== undefined ? { shrinkRuns: wholeNumber("--shrink-runs", v["shrink-runs"], 0, 10_000) } : {}),
  };
}
