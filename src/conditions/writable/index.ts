import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT, nodeNow, noSample } from "../shared/window.js";
import { patroniNode } from "../shared/params.js";

/** Whether a node's PostgreSQL accepts writes (answers, not in recovery, not read-only). */
export const writable = defineCondition({
  type: "writable",
  description: "Whether a node's PostgreSQL accepts writes.",
  schema: z.strictObject({ node: patroniNode(), is: z.boolean().describe("true: accepts writes; false: does not.") }),
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const s = nodeNow(ctx, node);
    if (!s) return noSample(node);
    const w = s.pgUp && s.writable === true;
    return { ok: w === c.is, detail: `${node} ${s.pgUp ? (w ? "writable" : "read-only") : "PostgreSQL not answering"} at ${formatT(s.t)}` };
  },
});
