/**
 * What one action kind is, in one place (src/actions/<kind>/index.ts): its parameters (a zod
 * shape), its checks, its documentation, and what it does to the lab. The scenario schema,
 * semantic checks, the runner and describe-step read the kinds from ./registry.ts.
 */
import type { z } from "zod";
import type { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import type { ParamsOf, StepProblem, TopologyNodes } from "../scenario/primitives.js";
import type { ActionGenerator, NotExplored, ParamsInputOf } from "../scenario/explore-kit.js";

export type { ParamsOf };

export interface ActionContext {
  lab: Lab;
  history: History;
  resolve(ref: { text: string }): string;
  /** The DCS leader as last recorded (for actions that default to "the current leader"). */
  currentLeader(): string | null;
}

export interface ActionOutcome {
  /** HTTP status for REST actions; exit code for commands. */
  status?: number;
  body?: string;
  error?: string;
  /** True when the action did what it was asked (2xx, exit 0, query ran). */
  succeeded: boolean;
}

export interface ActionKind<S extends z.ZodRawShape = z.ZodRawShape> {
  /** Name in scenarios: `action: <type>`. */
  readonly type: string;
  /** One sentence for the JSON Schema, editors and docs. */
  readonly description: string;
  /** Parameters besides the common `id` and `note`. */
  readonly params: S;
  /**
   * Patroni's log lines written while the action ran go with its outcome (e.g. the leader's
   * reasons for refusing a switchover). Log lines reach the history a moment after they are
   * written, so the runner waits PATRONI_LOG_DELAY_MS before collecting them.
   */
  readonly collectsPatroniLog: boolean;
  /** Checks that need the topology or relate parameters to each other, run after the whole scenario parsed (scenario/semantic.ts). */
  semanticCheck?(params: ParamsOf<S>, nodes: TopologyNodes): StepProblem[];
  /** How `pgchaos explore` draws steps of this kind (src/scenario/explore-kit.ts), or why it does not. */
  readonly explore: ActionGenerator<ParamsInputOf<S>> | NotExplored;
  run(params: ParamsOf<S>, ctx: ActionContext): Promise<ActionOutcome>;
}

/** Declares an action kind; the identity function that lets TypeScript infer the parameter types. */
export function defineAction<S extends z.ZodRawShape>(kind: ActionKind<S>): ActionKind<S> {
  return kind;
}

/** How long after an action Patroni's log lines of that moment have reached the history. */
export const PATRONI_LOG_DELAY_MS = 700;
