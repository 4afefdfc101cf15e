import type { ActionContext, ActionOutcome } from "../kind.js";
import { restOutcome } from "./rest.js";
import { patroniRest } from "../../lab/lab-clients.js";

/** PATCH /config {pause: true|false}, what `patronictl pause/resume` does. */
export async function setPause(pause: boolean, ctx: ActionContext): Promise<ActionOutcome> {
  const node = ctx.currentLeader() ?? ctx.lab.patroniNodes()[0].name;
  return restOutcome(await patroniRest(ctx.lab, node).patch("/config", { pause }));
}
