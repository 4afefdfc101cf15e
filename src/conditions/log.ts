import type { ConditionEvaluator } from "./condition.js";
import { formatT } from "./condition.js";

/** Some container log line of the node matches the regular expression, since a step began (default: since ready). */
export const logCondition: ConditionEvaluator<{ type: "log"; node: { text: string }; matches: string; since?: string }> = {
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const from = c.since ? (ctx.stepStart(c.since) ?? 0) : 0;
    const re = new RegExp(c.matches);
    const hit = ctx.history.of("log").find((l) => l.node === node && l.t >= from && l.t <= ctx.now && re.test(l.line));
    return hit
      ? { ok: true, detail: `${node} at ${formatT(hit.t)}: ${hit.line.slice(0, 240)}` }
      : { ok: false, detail: `no line of ${node} matching /${c.matches}/ since ${formatT(from)}` };
  },
};
