import type { Action, ActionContext, ActionOutcome } from "./action.js";
import type { ActionStepOf, ActionType } from "../scenario/schema.js";
import { switchoverAction } from "./switchover.js";
import { failoverAction } from "./failover.js";
import { reinitAction, reloadAction, restartAction } from "./node-actions.js";
import { pauseAction, resumeAction } from "./maintenance.js";
import { sqlAction } from "./sql.js";
import { patronictlAction } from "./patronictl.js";
import { doctorAction } from "./doctor.js";
import { dcsAction } from "./dcs.js";

/** Each action's implementation, typed by its parsed step (the parameters in scenario/action-params.ts). */
export const actions: { [K in ActionType]: Action<ActionStepOf<K>> } = {
  switchover: switchoverAction,
  failover: failoverAction,
  restart: restartAction,
  reinit: reinitAction,
  reload: reloadAction,
  pause: pauseAction,
  resume: resumeAction,
  sql: sqlAction,
  patronictl: patronictlAction,
  doctor: doctorAction,
  dcs: dcsAction,
};

/** Runs the action a parsed action step names. */
export function runAction<K extends ActionType>(step: ActionStepOf<K> & { action: K }, ctx: ActionContext): Promise<ActionOutcome> {
  const action: Action<ActionStepOf<K>> = actions[step.action];
  return action.run(step, ctx);
}

export type { Action, ActionContext, ActionOutcome } from "./action.js";
export { PATRONI_LOG_DELAY_MS } from "./action.js";
