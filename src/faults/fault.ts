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
 * A fault is one thing that goes wrong in the lab. `inject` makes it happen on every target at
 * once (some kinds need that: etcd-rebuild releases all members together, container-stop stops
 * them in parallel); `heal` undoes it on one target. The runner heals every injected fault
 * target by target (on the scenario's heal step, at the end of its duration, or during
 * teardown), goes on past a target that fails and retries that target until it is healed or a
 * deadline passes (runner/active-faults.ts). `heal` must therefore be idempotent and must work
 * after a partial `inject`.
 */
export interface Fault {
  /** Fault type as named in scenarios, e.g. "etcd-pause". */
  readonly type: string;
  /** Node names the fault touches; `heal` is called once per name. */
  readonly targets: readonly string[];
  inject(ctx: FaultContext): Promise<void>;
  heal(ctx: FaultContext, target: string): Promise<void>;
  /** How a person removes this fault from a target by hand when heal kept failing (shell commands). */
  manualHeal?(target: string, container: string): string;
  /** Optional: change a live fault (e.g. a new clock offset) without healing it. */
  update?(ctx: FaultContext, params: Record<string, unknown>): Promise<void>;
}
