import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { fromIsNotTarget } from "../shared/iptables.js";
import { linkParams } from "../shared/params.js";
import { NetworkPartition } from "./network-partition.js";

export const partition = defineFault({
  type: "partition",
  description: "Cut the network between the targets and other nodes (iptables DROP) until healed.",
  params: {
    targets: targets(["patroni", "etcd", "haproxy"], { description: "The isolated nodes." }),
    from: z
      .union([z.literal("all"), z.array(nodeRef(["patroni", "etcd", "haproxy"])).min(1)])
      .default("all")
      .describe("Nodes the targets are cut from: all (default: every other node) or a list."),
    direction: z.enum(["both", "in", "out"]).default("both").describe("Traffic dropped: both (default), in (to the targets) or out (from the targets)."),
    ports: z
      .array(z.number().int().min(1).max(65535))
      .min(1)
      .optional()
      .describe("Only TCP traffic to or from these ports (on either side) is dropped, e.g. [5432] cuts replication but not the REST API or etcd (optional; default: all traffic)."),
  },
  semanticCheck: (p) => fromIsNotTarget(p, (node) => `'${node}' is also a target; a node cannot be cut from itself`),
  docs: {
    params:
      "`targets` (the isolated nodes), `from: all \\| [NodeRef...]` (default `all`), `direction: both\\|in\\|out` (default `both`), `ports: [int...]` (optional)",
    what: "drop traffic between the targets and `from`; with `ports` only TCP packets to or from those ports (either side), e.g. `[5432]` cuts a replica's replication but not its REST API or etcd",
  },
  explore: { params: linkParams },
  build: (p, { id, resolve }) => new NetworkPartition(p.targets.map(resolve), p.from === "all" ? undefined : p.from.map(resolve), p.direction, id, p.ports),
});
