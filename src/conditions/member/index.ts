import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT, dcsNow, dcsUnreadable } from "../shared/window.js";
import { patroniNode } from "../shared/params.js";

/** Whether a node's member key is present in the DCS (what `patronictl list` shows). */
export const member = defineCondition({
  type: "member",
  description: "Whether a node's member key is present in the DCS.",
  schema: z.strictObject({ node: patroniNode(), in_dcs: z.boolean().describe("true: member key present; false: absent.") }),
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const d = dcsNow(ctx);
    if (!d) return dcsUnreadable(ctx);
    const present = d.members.includes(node);
    return { ok: present === c.in_dcs, detail: `${node} ${present ? "present in" : "missing from"} DCS members [${d.members.join(", ")}] at ${formatT(d.t)}` };
  },
});
