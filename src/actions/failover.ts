import type { Action } from "./action.js";
import { restOutcome } from "./action.js";
import { patroniRest } from "../lab/lab-clients.js";

/** POST /failover naming a candidate (works without a healthy leader). Sent to the candidate's API. */
export const failoverAction: Action<{ candidate: { text: string } }> = {
  collectsPatroniLog: true,
  async run(p, ctx) {
    const candidate = ctx.resolve(p.candidate);
    return restOutcome(await patroniRest(ctx.lab, candidate).post("/failover", { candidate }, 90_000));
  },
};
