import type { ConditionEvaluator } from "./condition.js";
import { formatT } from "./condition.js";

/** How many etcd members answer /health with health=true. */
export const etcdHealthyCondition: ConditionEvaluator<{ type: "etcd_healthy"; count: number | "all" }> = {
  evaluate(c, ctx) {
    const d = ctx.history.latest("dcs", undefined, ctx.now);
    if (!d || d.t < ctx.since) return { ok: false, pending: true, detail: "no etcd health sample since the step began" };
    const healthy = Object.entries(d.etcdHealth).filter(([, h]) => h).map(([n]) => n);
    const need = c.count === "all" ? ctx.etcdNodes.length : c.count;
    return { ok: healthy.length >= need, detail: `${healthy.length} healthy [${healthy.join(", ")}] at ${formatT(d.t)}` };
  },
};
