import type { Action } from "./action.js";
import { switchoverAction } from "./switchover.js";
import { failoverAction } from "./failover.js";
import { reinitAction, reloadAction, restartAction } from "./node-actions.js";
import { pauseAction, resumeAction } from "./maintenance.js";
import { sqlAction } from "./sql.js";
import { patronictlAction } from "./patronictl.js";
import { doctorAction } from "./doctor.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const actions: Record<string, Action<any>> = {
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
};
export type { Action, ActionContext, ActionOutcome } from "./action.js";
