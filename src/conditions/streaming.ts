import type { ConditionEvaluator } from "./condition.js";
import { fmtT, nodeNow, primaryNow } from "./condition.js";

/** Replicas stream WAL (pg_stat_wal_receiver.status = streaming); `all` = every node but the primary. */
export const streamingCondition: ConditionEvaluator<{ type: "streaming"; node: { text: string } | "all" }> = {
  evaluate(c, ctx) {
    const primary = primaryNow(ctx);
    const nodes = c.node === "all" ? ctx.patroniNodes.filter((n) => n !== primary) : [ctx.resolve(c.node)];
    if (c.node === "all" && !primary) return { ok: false, detail: "no primary: replicas have nothing to stream from" };
    const parts: string[] = [];
    let ok = true;
    for (const n of nodes) {
      const s = nodeNow(ctx, n);
      const st = !s ? "no sample" : !s.pgUp ? "PostgreSQL down" : s.streaming ? "streaming" : s.writable ? "primary" : "not streaming";
      if (st !== "streaming") ok = false;
      parts.push(`${n} ${st}${s ? ` at ${fmtT(s.t)}` : ""}`);
    }
    return { ok, detail: parts.join("; ") };
  },
};
