import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";
import { patroniNode } from "../shared/params.js";
import { latestProbe } from "../shared/probe.js";

/** The first column of the first row of a query, read by a probe the runner recorded. */
export const sql = defineCondition({
  type: "sql",
  description: "A query on a node returns a value (first column of the first row, compared as text when a string is given).",
  schema: z.strictObject({
    node: patroniNode(),
    query: z.string().min(1).describe("SQL text."),
    equals: z.union([z.string(), z.number(), z.boolean()]).describe("Expected value."),
  }),
  probes: (c, ctx) => {
    const node = ctx.resolve(c.node);
    return [{ key: `sql:${node}:${c.query}`, node, kind: "sql", what: c.query }];
  },
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const p = latestProbe(ctx, `sql:${node}:${c.query}`);
    if (!p) return { ok: false, pending: true, detail: `no result from ${node} yet` };
    if (!p.ok) return { ok: false, detail: `${node}: ${p.error}` };
    const v = p.value;
    const ok = typeof c.equals === "string" ? String(v) === c.equals : v === c.equals || String(v) === String(c.equals);
    return { ok, detail: `${node}: ${c.query.slice(0, 60)} → ${JSON.stringify(v)} at ${formatT(p.t)}` };
  },
});
