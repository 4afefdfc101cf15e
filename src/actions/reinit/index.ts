import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { nodeRef } from "../../scenario/primitives.js";
import { expectStatus, restOutcome } from "../shared/rest.js";
import { patroniRest } from "../../lab/lab-clients.js";

/** POST /reinitialize: the replica is rebuilt from the leader. */
export const reinit = defineAction({
  type: "reinit",
  description: "Reinitialise a replica from the leader (POST /reinitialize).",
  params: { node: nodeRef(["patroni"], "Replica to reinitialise (required)."), expect_status: expectStatus() },
  explore: {
    params: (g) => g.fc.record({ node: g.ref(["patroni"]), expect_status: g.fc.constant(ANY_ANSWER) }),
    applies: (f) => f.nodes.patroni.length >= 2,
    recoveryMs: 60_000,
  },
  collectsPatroniLog: true,
  async run(p, ctx) {
    return restOutcome(await patroniRest(ctx.lab, ctx.resolve(p.node)).post("/reinitialize", { force: true }, 120_000));
  },
});
