import type { ConditionEvaluator } from "./condition.js";
import { formatT, noSample, nodeNow } from "./condition.js";

type RoleCondition = { type: "role"; node: { text: string }; is?: string; not?: string };

/** A node's role as its REST API reports it; `down` when the REST API does not answer. */
export const roleCondition: ConditionEvaluator<RoleCondition> = {
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const s = nodeNow(ctx, node);
    if (!s) return noSample(node);
    const role = s.restUp ? (s.role ?? "unknown") : "down";
    const detail = `${node} role ${role}${s.state ? ` (${s.state})` : ""} at ${formatT(s.t)}`;
    if (c.is !== undefined) return { ok: role === c.is, detail };
    return { ok: role !== c.not, detail };
  },
};
