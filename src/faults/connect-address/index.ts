import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { ConnectAddress } from "./connect-address.js";

export const connectAddress = defineFault({
  type: "connect-address",
  description: "Make one node's advertised restapi.connect_address reach another node's REST API (incident 4).",
  params: {
    targets: targets(["patroni"], { max: 1, description: "The one Patroni node whose connect_address is wrong." }),
    points_to: nodeRef(["patroni"], "The Patroni node whose REST API the wrong address reaches (required)."),
    live: z.boolean().default(false).describe("Apply to the running cluster (edit and reload) instead of at cluster creation (default false)."),
  },
  semanticCheck: (p) => (p.targets[0]?.text === p.points_to.text ? [{ path: ["points_to"], message: "points_to must be another node than the target" }] : []),
  docs: {
    params: "`targets` (one Patroni node), `points_to` (Patroni NodeRef, required), `live: bool` (default false)",
    what: "that node's `restapi.connect_address` becomes `<points_to>:8008`, so its member key's `api_url` reaches `points_to`'s REST API (incident 4): the key is rewritten in `/etc/patroni/patroni.yml`; `live: true` applies it with `POST /reload`, `live: false` restarts that node's Patroni (it stops its PostgreSQL on the way down: on the leader that is a leader change; to have the address from creation use `nodes: { pgN: { patroni_config: { restapi: { connect_address: ... } } } }`). Both wait until the member key shows the new `api_url`; heal restores the file the same way",
  },
  explore: {
    // points_to: another node by name (the semantic check wants another node than the target).
    params: (g) =>
      g.ref(["patroni"]).chain((target) => {
        const others = g.nodes.patroni.filter((n) => n !== target);
        return g.fc.record({ targets: g.fc.constant(target), points_to: g.fc.constantFrom(...others), live: g.fc.boolean() }, { requiredKeys: ["targets", "points_to"] });
      }),
    // Two Patroni nodes at least.
    applies: (f) => f.nodes.patroni.length >= 2,
    recoveryMs: 20_000,
  },
  build: (p, { resolve }) => new ConnectAddress(p.targets.map(resolve), resolve(p.points_to), p.live),
});
