import type { ConditionEvaluator } from "./condition.js";
import { nodeNow, primaryNow } from "./condition.js";

/** Replay lag in bytes behind the primary's current WAL position, from the REST samples. */
export const lagCondition: ConditionEvaluator<{ type: "lag"; node: { text: string } | "all"; below: number }> = {
  evaluate(c, ctx) {
    const primary = primaryNow(ctx);
    const anySample = ctx.patroniNodes.some((n) => nodeNow(ctx, n));
    if (!primary) return { ok: false, pending: !anySample, detail: anySample ? "no primary to measure lag against" : "no sample since the step began" };
    const p = nodeNow(ctx, primary)!;
    if (p.receivedLsn === undefined) return { ok: false, detail: `${primary}'s WAL position unknown` };
    const nodes = c.node === "all" ? ctx.patroniNodes.filter((n) => n !== primary) : [ctx.resolve(c.node)];
    const parts: string[] = [];
    let ok = true;
    let pending = false;
    for (const n of nodes) {
      const s = nodeNow(ctx, n);
      const pos = s?.replayedLsn ?? s?.receivedLsn;
      if (pos === undefined) {
        ok = false;
        if (!s) pending = true;
        parts.push(`${n} position unknown`);
        continue;
      }
      const lag = Math.max(0, p.receivedLsn - pos);
      if (!(lag < c.below)) ok = false;
      parts.push(`${n} lag ${lag} B`);
    }
    return { ok, pending: !ok && pending, detail: `${parts.join("; ")} (primary ${primary})` };
  },
};
