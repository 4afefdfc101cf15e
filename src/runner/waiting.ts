import type { Progress } from "../util/progress.js";
import { formatDuration } from "../scenario/units.js";

/** How often a long wait says what it waits for. */
export const WAIT_PROGRESS_MS = 10_000;

/**
 * While `work` runs, prints a line every WAIT_PROGRESS_MS: what it waits for (asked afresh each
 * time, so it can carry the latest state), how long so far, and the budget.
 */
export async function reportingWait<T>(progress: Progress, what: () => string, budgetMs: number | undefined, work: Promise<T>, everyMs = WAIT_PROGRESS_MS): Promise<T> {
  const t0 = Date.now();
  const timer = setInterval(() => {
    const so = formatDuration(Math.round((Date.now() - t0) / 1000) * 1000);
    progress(`  waiting for ${what()}: ${so} so far${budgetMs !== undefined ? ` of ${formatDuration(budgetMs)}` : ""}`);
  }, everyMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
