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
  /**
   * Patroni's log lines written while the action ran go with its outcome (e.g. the leader's
   * reasons for refusing a switchover). Log lines reach the history a moment after they are
   * written, so the runner waits PATRONI_LOG_DELAY_MS before collecting them.
   */
  readonly collectsPatroniLog: boolean;
}

/** How long after an action Patroni's log lines of that moment have reached the history. */
export const PATRONI_LOG_DELAY_MS = 700;

export function restOutcome(r: { status: number; text: string }): ActionOutcome {
  return { status: r.status, body: r.text.slice(0, 2000), succeeded: r.status >= 200 && r.status < 300 };
}
