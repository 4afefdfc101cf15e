import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT, nodeNow, primaryNow } from "../shared/window.js";
import { nodeOrAll } from "../shared/params.js";

/** Replicas stream WAL (pg_stat_wal_receiver.status = streaming); `all` = every node but the primary. */
export const streaming = defineCondition({
  type: "streaming",
  description: "A replica (or every replica, `all`) streams WAL from the primary (pg_stat_wal_receiver status = streaming).",
  schema: z.strictObject({ node: nodeOrAll("A Patroni node, or `all` for every replica.") }),
  evaluate(c, ctx) {
    const primary = primaryNow(ctx);
    const nodes = c.node === "all" ? ctx.patroniNodes.filter((n) => n !== primary) : [ctx.resolve(c.node)];
    if (c.node === "all" && !primary) {
      const anySample = ctx.patroniNodes.some((n) => nodeNow(ctx, n));
      return anySample ? { ok: false, detail: "no primary: replicas have nothing to stream from" } : { ok: false, pending: true, detail: "no sample since the step began" };
    }
    const parts: string[] = [];
    let ok = true;
    let pending = false;
    for (const n of nodes) {
      const s = nodeNow(ctx, n);
      if (!s) pending = true;
      const st = !s ? "no sample" : !s.pgUp ? "PostgreSQL down" : s.streaming ? "streaming" : s.writable ? "primary" : "not streaming";
      if (st !== "streaming") ok = false;
      parts.push(`${n} ${st}${s ? ` at ${formatT(s.t)}` : ""}`);
    }
    return { ok, pending: !ok && pending, detail: parts.join("; ") };
  },
});
