import type { Checker } from "./checker.js";
import { noAckedWriteLost, type NoAckedWriteLostOptions } from "./no-acked-write-lost.js";
import { singlePrimary, type SinglePrimaryOptions } from "./single-primary.js";
import { writeAvailability, type WriteAvailabilityOptions } from "./write-availability.js";

export type * from "./checker.js";
export { singlePrimary, type SinglePrimaryOptions } from "./single-primary.js";
export { noAckedWriteLost, type NoAckedWriteLostOptions } from "./no-acked-write-lost.js";
export { writeAvailability, availabilityOf, type WriteAvailabilityOptions, type SeriesAvailability } from "./write-availability.js";
export { compressRanges } from "./util.js";
export { formatT, formatDuration } from "../util/time.js";

/** Checker factories by scenario invariant name. */
export const checkers: Record<string, (opts?: object) => Checker> = {
  "single-primary": (opts?: object) => singlePrimary(opts as SinglePrimaryOptions | undefined),
  "no-acked-write-lost": (opts?: object) => noAckedWriteLost(opts as NoAckedWriteLostOptions | undefined),
  "write-availability": (opts?: object) => writeAvailability(opts as WriteAvailabilityOptions | undefined),
};

/** Names of the invariants a scenario may list. */
export const checkerNames = Object.keys(checkers);
