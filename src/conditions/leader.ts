import type { ConditionEvaluator } from "./condition.js";
import { dcsNow, dcsUnreadable, formatT } from "./condition.js";

type LeaderCondition = { type: "leader"; exists?: boolean; is?: { text: string }; not?: { text: string } };

/**
 * The DCS leader key. Judged only on samples that could read the DCS: while etcd has no
 * quorum nobody can know who holds the key, so no leader condition is satisfied then.
 */
export const leaderCondition: ConditionEvaluator<LeaderCondition> = {
  evaluate(c, ctx) {
    const d = dcsNow(ctx);
    if (!d) return dcsUnreadable(ctx);
    const holder = d.leader;
    const seen = `leader key ${holder ? `held by ${holder}` : "absent"} (DCS at ${formatT(d.t)})`;
    if (c.is) return { ok: holder === ctx.resolve(c.is), detail: seen };
    // `not: X` is also satisfied by no leader at all (the scenario format says so).
    if (c.not) return { ok: holder !== ctx.resolve(c.not), detail: seen };
    return { ok: (holder !== null) === c.exists, detail: seen };
  },
};
