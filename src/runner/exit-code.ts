import type { RunOutcome } from "../report/model.js";

export interface ExitCodeOptions {
  /** Treat `known` (a failure explained by a known upstream issue) as a failure. */
  strict?: boolean;
  /** The game day was interrupted (SIGINT/SIGTERM). */
  interrupted?: boolean;
}

/**
 * The game day's exit code: 130 when interrupted, 2 when a run errored (infrastructure), 1 when
 * a run failed (or, with `strict`, showed a known issue), else 0, so a CI job stays green while
 * every failure is a known one and turns red on an unexpected failure.
 */
export function gameDayExitCode(reports: readonly { outcome: RunOutcome }[], opts: ExitCodeOptions = {}): number {
  if (opts.interrupted) return 130;
  if (reports.some((r) => r.outcome === "error")) return 2;
  if (reports.some((r) => r.outcome === "fail" || (opts.strict && r.outcome === "known"))) return 1;
  return 0;
}
