import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { nodeRef } from "../../scenario/primitives.js";
import { expectStatus, restOutcome } from "../shared/rest.js";
import { patroniRest } from "../../lab/lab-clients.js";

/** POST /restart: Patroni restarts its PostgreSQL. */
export const restart = defineAction({
  type: "restart",
  description: "Restart PostgreSQL on a node through Patroni (POST /restart).",
  params: { node: nodeRef(["patroni"], "Node whose PostgreSQL restarts (required)."), expect_status: expectStatus() },
  explore: { params: (g) => g.fc.record({ node: g.ref(["patroni"]), expect_status: g.fc.constant(ANY_ANSWER) }), recoveryMs: 20_000 },
  collectsPatroniLog: true,
  async run(p, ctx) {
    return restOutcome(await patroniRest(ctx.lab, ctx.resolve(p.node)).post("/restart", {}, 120_000));
  },
});
