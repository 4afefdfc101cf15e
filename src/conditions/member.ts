import type { ConditionEvaluator } from "./condition.js";
import { dcsNow, dcsUnreadable, formatT } from "./condition.js";

/** Whether a node's member key is present in the DCS (what `patronictl list` shows). */
export const memberCondition: ConditionEvaluator<{ type: "member"; node: { text: string }; in_dcs: boolean }> = {
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const d = dcsNow(ctx);
    if (!d) return dcsUnreadable(ctx);
    const present = d.members.includes(node);
    return { ok: present === c.in_dcs, detail: `${node} ${present ? "present in" : "missing from"} DCS members [${d.members.join(", ")}] at ${formatT(d.t)}` };
  },
};
