import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { fromIsNotTarget } from "../shared/iptables.js";
import { constants, linkParams } from "../shared/params.js";
import { PacketLoss } from "./packet-loss.js";

/** 0 < p <= 1, written as a share (0.3) or a percentage ("30%"). */
const probability = z
  .union([
    z.number().gt(0, { error: "probability must be more than 0" }).lte(1, { error: "probability is at most 1 (100%)" }),
    z
      .string()
      .regex(/^(?:100|[0-9]{1,2}(?:\.[0-9]+)?)%$/, { error: (iss) => `invalid probability ${JSON.stringify(iss.input)}: write a share (0.3) or a percentage (30%), more than 0 and at most 100%` })
      .refine((s) => parseFloat(s) > 0, { error: "probability must be more than 0%" }),
  ])
  .transform((v) => (typeof v === "number" ? v : parseFloat(v) / 100))
  .describe("Share of matching packets dropped, each at random: more than 0, at most 1; a share (0.3) or a percentage (30%) (required).");

export const packetLoss = defineFault({
  type: "packet-loss",
  description: "Drop a random share of the packets between the targets and other nodes (iptables statistic match) until healed.",
  params: {
    targets: targets(["patroni", "etcd", "haproxy"], { description: "The nodes whose links become lossy." }),
    from: z
      .union([z.literal("all"), z.array(nodeRef(["patroni", "etcd", "haproxy"])).min(1)])
      .default("all")
      .describe("Nodes on the other end of the lossy links: all (default: every other node) or a list."),
    direction: z.enum(["both", "in", "out"]).default("both").describe("Packets affected: both (default), in (to the targets) or out (from the targets)."),
    ports: z
      .array(z.number().int().min(1).max(65535))
      .min(1)
      .optional()
      .describe("Only TCP packets to or from these ports (on either side), e.g. [5432] for replication (optional; default: all traffic)."),
    probability,
  },
  semanticCheck: (p) => fromIsNotTarget(p, (node) => `'${node}' is also a target; a link needs two different nodes`),
  docs: {
    params:
      "`targets`, `from: all \\| [NodeRef...]` (default `all`), `direction: both\\|in\\|out` (default `both`), `ports: [int...]` (optional), `probability` (0 < p ≤ 1, `0.3` or `30%`, required)",
    what: "drop each packet between the targets and `from` at random with that probability (iptables `-m statistic --mode random`); with `ports` only TCP packets to or from those ports",
  },
  explore: {
    params: (g) =>
      linkParams(g).chain((link) =>
        g.fc.record({ ...constants(g, link), probability: g.fc.integer({ min: 1, max: 20 }).map((n) => `${n * 5}%`) }, { requiredKeys: [...Object.keys(link), "probability"] as ("targets" | "probability")[] }),
      ),
  },
  build: (p, { id, resolve }) => new PacketLoss(p.targets.map(resolve), p.from === "all" ? undefined : p.from.map(resolve), p.probability, p.direction, id, p.ports),
});
