import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { nodeRef } from "../../scenario/primitives.js";
import { expectStatus, restOutcome } from "../shared/rest.js";
import { patroniRest } from "../../lab/lab-clients.js";

/** POST /reload on one node or every Patroni node (the first failure decides). */
export const reload = defineAction({
  type: "reload",
  description: "Reload Patroni's configuration (POST /reload) on one node, or on every Patroni node when `node` is absent.",
  params: { node: nodeRef(["patroni"], "Node to reload (optional; default: all Patroni nodes).").optional(), expect_status: expectStatus() },
  explore: { params: (g) => g.fc.record({ node: g.ref(["patroni"]), expect_status: g.fc.constant(ANY_ANSWER) }, { requiredKeys: ["expect_status"] }), weight: 0.5 },
  collectsPatroniLog: true,
  async run(p, ctx) {
    const nodes = p.node ? [ctx.resolve(p.node)] : ctx.lab.patroniNodes().map((n) => n.name);
    let last = { succeeded: true } as ReturnType<typeof restOutcome>;
    for (const n of nodes) {
      last = restOutcome(await patroniRest(ctx.lab, n).post("/reload", {}, 30_000));
      if (!last.succeeded) return last;
    }
    return last;
  },
});
