import type { ScenarioRunInput } from "../runner/run-scenario.js";
import { UserFacingError } from "../util/errors.js";
import { DURATION_HELP, parseDuration, UnitError } from "../scenario/units.js";

/**
 * One lab's worth of work in a game day: a scenario, the stack it runs on (when the game day
 * runs several; absent means the default stack) and which repetition of it this is.
 */
export interface WorkUnit {
  input: ScenarioRunInput;
  stack?: string;
  /** 1-based repetition number. */
  repeat: number;
}

export interface RepeatPolicy {
  /** Runs per scenario (a cap with untilFail or forMs). */
  repeat: number;
  /** Stop repeating a scenario at its first run that does not pass. */
  untilFail: boolean;
  /** Start no run later than this many ms after the game day started. */
  forMs?: number;
}

/** --until-fail without --repeat or --for: at most this many runs per scenario, so a CI job ends. */
export const UNTIL_FAIL_DEFAULT_CAP = 100;

/** A --for time box (run, explore): a duration longer than 0, or a clear error with an example. */
export function parseForOption(v: string, example: string): number {
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch (e) {
    if (e instanceof UnitError) throw new UserFacingError(`--for: ${DURATION_HELP}; not '${v}'`);
    throw e;
  }
  if (!(ms > 0)) throw new UserFacingError(`--for must be longer than 0 (e.g. ${example}), not '${v}'`);
  return ms;
}

export function parseRepeatPolicy(o: { repeat?: string; untilFail?: boolean; for?: string }): RepeatPolicy {
  let repeat = 1;
  if (o.repeat !== undefined) {
    repeat = Number(o.repeat);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 10_000) throw new UserFacingError(`--repeat must be a whole number from 1 to 10000, not '${o.repeat}'`);
  }
  const forMs = o.for === undefined ? undefined : parseForOption(o.for, "30m");
  if (forMs !== undefined && o.repeat === undefined) repeat = Number.POSITIVE_INFINITY;
  if (o.untilFail && o.repeat === undefined && forMs === undefined) repeat = UNTIL_FAIL_DEFAULT_CAP;
  return { repeat, untilFail: !!o.untilFail, ...(forMs !== undefined ? { forMs } : {}) };
}

/** Scenarios are repeated: each run gets its own run-NN folder and a run number in the output. */
export const isRepeating = (p: RepeatPolicy) => p.repeat > 1 || p.untilFail || p.forMs !== undefined;

/**
 * Hands out work units in rounds (run 1 of every scenario, then run 2 of every scenario, ...)
 * so a time box gives every scenario about the same number of runs. `done` reports a finished
 * run; with untilFail a scenario whose run did not pass gets no further runs (runs already
 * started finish). Work only ever shrinks as results come in, so a worker that finds nothing
 * to do may stop.
 */
export class Schedule {
  private readonly started: number[];
  private readonly stopped: boolean[];

  constructor(
    private readonly items: readonly { input: ScenarioRunInput; stack?: string }[],
    private readonly policy: RepeatPolicy,
    private readonly clock: () => number = Date.now,
    private readonly startedAt = clock(),
  ) {
    this.started = items.map(() => 0);
    this.stopped = items.map(() => false);
  }

  next(): WorkUnit | undefined {
    if (this.policy.forMs !== undefined && this.clock() - this.startedAt >= this.policy.forMs) return undefined;
    let best = -1;
    for (let i = 0; i < this.items.length; i++) {
      if (this.stopped[i] || this.started[i] >= this.policy.repeat) continue;
      if (best < 0 || this.started[i] < this.started[best]) best = i;
    }
    if (best < 0) return undefined;
    const repeat = ++this.started[best];
    const { input, stack } = this.items[best];
    return { input, ...(stack !== undefined ? { stack } : {}), repeat };
  }

  done(unit: WorkUnit, outcome: string): void {
    if (!this.policy.untilFail || outcome === "pass") return;
    const i = this.items.findIndex((it) => it.input === unit.input && it.stack === unit.stack);
    if (i >= 0) this.stopped[i] = true;
  }
}
