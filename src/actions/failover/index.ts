import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { nodeRef } from "../../scenario/primitives.js";
import { expectStatus, restOutcome } from "../shared/rest.js";
import { patroniRest } from "../../lab/lab-clients.js";

/** POST /failover naming a candidate (works without a healthy leader). Sent to the candidate's API. */
export const failover = defineAction({
  type: "failover",
  description: "Manual failover to a candidate through the REST API (POST /failover).",
  params: {
    candidate: nodeRef(["patroni"], "Node to fail over to (required)."),
    expect_status: expectStatus(),
  },
  explore: {
    params: (g) => g.fc.record({ candidate: g.ref(["patroni"]), expect_status: g.fc.constant(ANY_ANSWER) }),
    applies: (f) => f.nodes.patroni.length >= 2,
  },
  collectsPatroniLog: true,
  async run(p, ctx) {
    const candidate = ctx.resolve(p.candidate);
    return restOutcome(await patroniRest(ctx.lab, candidate).post("/failover", { candidate }, 90_000));
  },
});
