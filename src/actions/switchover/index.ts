import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { nodeRef } from "../../scenario/primitives.js";
import { expectStatus, restOutcome } from "../shared/rest.js";
import { patroniRest } from "../../lab/lab-clients.js";

/** POST /switchover to the current leader's REST API, as `patronictl switchover` does. */
export const switchover = defineAction({
  type: "switchover",
  description: "Planned switchover through the REST API (POST /switchover).",
  params: {
    leader: nodeRef(["patroni"], "Current leader to switch over from (optional; default: the current leader).").optional(),
    candidate: nodeRef(["patroni"], "Node to switch over to (optional; default: Patroni picks).").optional(),
    expect_status: expectStatus(),
  },
  explore: {
    // A switchover is a stimulus here: whatever Patroni answers, the invariants judge what follows.
    params: (g) => g.fc.record({ candidate: g.ref(["patroni"]), expect_status: g.fc.constant(ANY_ANSWER) }, { requiredKeys: ["expect_status"] }),
    applies: (f) => f.nodes.patroni.length >= 2,
  },
  collectsPatroniLog: true,
  semanticCheck: (p) => (p.leader && p.candidate && p.leader.text === p.candidate.text ? [{ path: ["candidate"], message: "candidate is the same node as leader" }] : []),
  async run(p, ctx) {
    const leader = p.leader ? ctx.resolve(p.leader) : ctx.currentLeader();
    if (!leader) return { succeeded: false, error: "no leader known to switch over from" };
    const body: Record<string, string> = { leader };
    if (p.candidate) body.candidate = ctx.resolve(p.candidate);
    return restOutcome(await patroniRest(ctx.lab, leader).post("/switchover", body, 90_000));
  },
});
