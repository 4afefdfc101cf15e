import type { Action } from "./action.js";
import { restOutcome } from "./action.js";
import { patroniRest } from "../lab/lab-clients.js";

function setPause(pause: boolean): Action<object> {
  return {
    collectsPatroniLog: true,
    async run(_p, ctx) {
      const node = ctx.currentLeader() ?? ctx.lab.patroniNodes()[0].name;
      return restOutcome(await patroniRest(ctx.lab, node).patch("/config", { pause }));
    },
  };
}

/** PATCH /config {pause: true|false}, what `patronictl pause/resume` does. */
export const pauseAction = setPause(true);
export const resumeAction = setPause(false);
