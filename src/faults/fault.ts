import type { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";

export interface FaultContext {
  lab: Lab;
  history: History;
  /** Milliseconds since the run's origin (same axis as the history). */
  now(): number;
  log(message: string): void;
}

/**
 * A fault is one thing that goes wrong in the lab. `inject` makes it happen, `heal` undoes it.
 * The runner guarantees that every injected fault is healed: on the scenario's heal step, at
 * the end of its duration, or during teardown after an error or an interrupt. `heal` must
 * therefore be idempotent and must work after a partial `inject`.
 */
export interface Fault {
  /** Fault type as named in scenarios, e.g. "etcd-pause". */
  readonly type: string;
  /** Node names the fault touches. */
  readonly targets: readonly string[];
  inject(ctx: FaultContext): Promise<void>;
  heal(ctx: FaultContext): Promise<void>;
  /** Optional: change a live fault (e.g. a new clock offset) without healing it. */
  update?(ctx: FaultContext, params: Record<string, unknown>): Promise<void>;
}
