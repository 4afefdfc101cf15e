import type { ConditionEvaluator } from "./condition.js";
import { dcsNow, formatT, nodeNow } from "./condition.js";

/**
 * Incident 1's symptom: the node's PostgreSQL is alive and writable while its member key is
 * missing from the DCS (so `patronictl list` no longer shows the primary).
 */
export const memberMissingWhileWritableCondition: ConditionEvaluator<{ type: "member_missing_while_writable"; node: { text: string } }> = {
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
};
