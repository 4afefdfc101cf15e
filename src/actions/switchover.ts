import type { Action } from "./action.js";
import { restOutcome } from "./action.js";
import { patroniRest } from "../lab/lab-clients.js";

type P = { leader?: { text: string }; candidate?: { text: string } };

/** POST /switchover to the current leader's REST API, as `patronictl switchover` does. */
export const switchoverAction: Action<P> = {
  collectsPatroniLog: true,
  async run(p, ctx) {
    const leader = p.leader ? ctx.resolve(p.leader) : ctx.currentLeader();
    if (!leader) return { succeeded: false, error: "no leader known to switch over from" };
    const body: Record<string, string> = { leader };
    if (p.candidate) body.candidate = ctx.resolve(p.candidate);
    return restOutcome(await patroniRest(ctx.lab, leader).post("/switchover", body, 90_000));
  },
};
