import type { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";

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

export interface Action<P> {
  run(params: P, ctx: ActionContext): Promise<ActionOutcome>;
  describe(params: P): string;
}

export function restOutcome(r: { status: number; text: string }): ActionOutcome {
  return { status: r.status, body: r.text.slice(0, 2000), succeeded: r.status >= 200 && r.status < 300 };
}
