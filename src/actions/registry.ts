/**
 * Every action kind, one import and one entry each. The scenario schema, semantic checks, the
 * runner and describe-step read this.
 */
import type { ActionContext, ActionKind, ActionOutcome, ParamsOf } from "./kind.js";
import { switchover } from "./switchover/index.js";
import { failover } from "./failover/index.js";
import { restart } from "./restart/index.js";
import { reinit } from "./reinit/index.js";
import { pause } from "./pause/index.js";
import { resume } from "./resume/index.js";
import { reload } from "./reload/index.js";
import { sql } from "./sql/index.js";
import { patronictl } from "./patronictl/index.js";
import { doctor } from "./doctor/index.js";
import { upgradePatroniKind } from "./upgrade-patroni/index.js";
import { dcs } from "./dcs/index.js";

/** Keyed by the name scenarios use; the order is the JSON Schema's. */
export const ACTION_KINDS = {
  switchover,
  failover,
  restart,
  reinit,
  pause,
  resume,
  reload,
  sql,
  patronictl,
  doctor,
  "upgrade-patroni": upgradePatroniKind,
  dcs,
};

export type ActionType = keyof typeof ACTION_KINDS;
export const ACTION_TYPES = Object.keys(ACTION_KINDS) as ActionType[];

/** Parameters of each kind after parsing. */
export type ActionParamsMap = { [K in ActionType]: ParamsOf<(typeof ACTION_KINDS)[K]["params"]> };
/** The registry seen through its parameter types: `ACTIONS[step.action].run(step, ...)` type-checks per kind. */
export const ACTIONS: { [K in ActionType]: ActionKind<(typeof ACTION_KINDS)[K]["params"]> } = ACTION_KINDS;

export function isActionType(type: string): type is ActionType {
  return Object.hasOwn(ACTION_KINDS, type);
}

/** Runs the action a parsed action step names (the step carries its parameters). */
export function runAction<K extends ActionType>(type: K, params: ActionParamsMap[K], ctx: ActionContext): Promise<ActionOutcome> {
  const kind: ActionKind<(typeof ACTION_KINDS)[K]["params"]> = ACTIONS[type];
  return kind.run(params, ctx);
}

export { PATRONI_LOG_DELAY_MS, type ActionContext, type ActionOutcome } from "./kind.js";
