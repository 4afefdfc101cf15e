import type { ConditionEvaluator } from "./condition.js";
import { formatT, noSample, nodeNow } from "./condition.js";

/** Whether a node's PostgreSQL accepts writes (answers, not in recovery, not read-only). */
export const writableCondition: ConditionEvaluator<{ type: "writable"; node: { text: string }; is: boolean }> = {
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const s = nodeNow(ctx, node);
    if (!s) return noSample(node);
    const w = s.pgUp && s.writable === true;
    return { ok: w === c.is, detail: `${node} ${s.pgUp ? (w ? "writable" : "read-only") : "PostgreSQL not answering"} at ${formatT(s.t)}` };
  },
};
