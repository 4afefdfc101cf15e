import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT, nodeNow, noSample } from "../shared/window.js";
import { patroniNode, exactlyOne, ROLES } from "../shared/params.js";

const roleSchema = z
  .strictObject({
    node: patroniNode(),
    is: z.enum(ROLES).optional().describe("The node has this role."),
    not: z.enum(ROLES).optional().describe("The node does not have this role."),
  })
  .superRefine(exactlyOne(["is", "not"], "role"));

/** A node's role as its REST API reports it; `down` when the REST API does not answer. */
export const role = defineCondition({
  type: "role",
  description: "A node's role as its REST API reports it (down = REST API not answering): `{ node, is }` or `{ node, not }`.",
  schema: roleSchema,
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const s = nodeNow(ctx, node);
    if (!s) return noSample(node);
    const role = s.restUp ? (s.role ?? "unknown") : "down";
    const detail = `${node} role ${role}${s.state ? ` (${s.state})` : ""} at ${formatT(s.t)}`;
    if (c.is !== undefined) return { ok: role === c.is, detail };
    return { ok: role !== c.not, detail };
  },
});
