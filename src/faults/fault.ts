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
 * What inject, heal and update may return: the moment the fault took effect (inject, update) or
 * stopped taking effect (heal), on the run's time axis (FaultContext.now()), when the fault
 * knows it better than "when the call returned". A fault measures it just after the command that
 * made it effective, before the verification and logging that follow (a clock-skew inject
 * returns 1.3-1.6 s after its shim acted), or takes it from what the command reported. The
 * runner stamps the fault event with it (kept within the call's own span) and records the
 * return as `tEnd`; without it the event is stamped when the call returned.
 */
export interface FaultEffect {
  effectiveAt?: number;
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
  /** Resolves with the moment the fault took effect on every target, when it knows it (FaultEffect). */
  inject(ctx: FaultContext): Promise<void | FaultEffect>;
  /** Resolves with the moment the fault stopped on this target, when it knows it (FaultEffect). */
  heal(ctx: FaultContext, target: string): Promise<void | FaultEffect>;
  /** How a person removes this fault from a target by hand when heal kept failing (shell commands). */
  manualHeal?(target: string, container: string): string;
  /** Optional: change a live fault (e.g. a new clock offset) without healing it. */
  update?(ctx: FaultContext, params: Record<string, unknown>): Promise<void | FaultEffect>;
}
