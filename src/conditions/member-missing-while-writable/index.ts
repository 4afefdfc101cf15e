import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT, nodeNow, dcsNow } from "../shared/window.js";
import { patroniNode } from "../shared/params.js";

/**
 * Incident 1's symptom: the node's PostgreSQL is alive and writable while its member key is
 * missing from the DCS (so `patronictl list` no longer shows the primary).
 */
export const memberMissingWhileWritable = defineCondition({
  type: "member_missing_while_writable",
  description: "The node's member key is absent from the DCS while its PostgreSQL is writable (incident 1's symptom).",
  schema: z.strictObject({ node: patroniNode() }),
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const d = dcsNow(ctx);
    const s = nodeNow(ctx, node);
    if (!d || !s) return { ok: false, pending: true, detail: `no ${d ? node : "DCS"} sample since the step began` };
    const missing = !d.members.includes(node);
    const writable = s.pgUp && s.writable === true;
    return {
      ok: missing && writable,
      detail: `${node}: member key ${missing ? "missing" : "present"} (DCS at ${formatT(d.t)}), PostgreSQL ${writable ? "writable" : "not writable"} (at ${formatT(s.t)})`,
    };
  },
});
