import { z } from "zod";
import { defineCondition } from "../kind.js";
import type { NodeRef } from "../../scenario/primitives.js";
import { formatT, dcsNow, dcsUnreadable } from "../shared/window.js";
import { patroniNode, exactlyOne } from "../shared/params.js";

const leaderSchema = z
  .union([
    z.enum(["exists", "none"]),
    z
      .strictObject({
        is: patroniNode("The leader must be this node.").optional(),
        not: patroniNode("The leader must not be this node (no leader also satisfies it).").optional(),
      })
      .superRefine(exactlyOne(["is", "not"], "leader")),
  ])
  .transform((v): { exists?: boolean; is?: NodeRef; not?: NodeRef } =>
    v === "exists" ? { exists: true } : v === "none" ? { exists: false } : v,
  );

/**
 * The DCS leader key. Judged only on samples that could read the DCS: while etcd has no
 * quorum nobody can know who holds the key, so no leader condition is satisfied then.
 */
export const leader = defineCondition({
  type: "leader",
  description: "The DCS leader key: `exists`, `none`, `{ is: <node> }` or `{ not: <node> }`.",
  schema: leaderSchema,
  evaluate(c, ctx) {
    const d = dcsNow(ctx);
    if (!d) return dcsUnreadable(ctx);
    const holder = d.leader;
    const seen = `leader key ${holder ? `held by ${holder}` : "absent"} (DCS at ${formatT(d.t)})`;
    if (c.is) return { ok: holder === ctx.resolve(c.is), detail: seen };
    // `not: X` is also satisfied by no leader at all (the scenario format says so).
    if (c.not) return { ok: holder !== ctx.resolve(c.not), detail: seen };
    return { ok: (holder !== null) === c.exists, detail: seen };
  },
});
