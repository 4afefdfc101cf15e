import type { ConditionEvaluator } from "./condition.js";
import { nodeNow, primaryNow } from "./condition.js";

/** Replay lag in bytes behind the primary's current WAL position, from the REST samples. */
export const lagCondition: ConditionEvaluator<{ type: "lag"; node: { text: string } | "all"; below: number }> = {
  evaluate(c, ctx) {
    const primary = primaryNow(ctx);
    if (!primary) return { ok: false, detail: "no primary to measure lag against" };
    const p = nodeNow(ctx, primary)!;
    if (p.receivedLsn === undefined) return { ok: false, detail: `${primary}'s WAL position unknown` };
    const nodes = c.node === "all" ? ctx.patroniNodes.filter((n) => n !== primary) : [ctx.resolve(c.node)];
    const parts: string[] = [];
    let ok = true;
    for (const n of nodes) {
      const s = nodeNow(ctx, n);
      const pos = s?.replayedLsn ?? s?.receivedLsn;
      if (pos === undefined) {
        ok = false;
        parts.push(`${n} position unknown`);
        continue;
      }
      const lag = Math.max(0, p.receivedLsn - pos);
      if (!(lag < c.below)) ok = false;
      parts.push(`${n} lag ${lag} B`);
    }
    return { ok, detail: `${parts.join("; ")} (primary ${primary})` };
  },
};
