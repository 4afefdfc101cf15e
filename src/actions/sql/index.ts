import { z } from "zod";
import { defineAction } from "../kind.js";
import { nodeRef } from "../../scenario/primitives.js";
import { pgConnect } from "../../clients/pg.js";
import { pgTarget } from "../../lab/lab-clients.js";
import { errorText } from "../../util/errors.js";

/** Run one SQL statement as the superuser; the first row is kept as the body. */
export const sql = defineAction({
  type: "sql",
  description: "Run an SQL statement on a node's PostgreSQL as the superuser.",
  params: {
    node: nodeRef(["patroni"], "Node to run the query on (required)."),
    query: z.string().min(1).describe("SQL text (required)."),
  },
  explore: { notExplored: "free SQL text has no meaningful random form; a schedule's writes come from the workload" },
  collectsPatroniLog: false,
  async run(p, ctx) {
    try {
      const c = await pgConnect(pgTarget(ctx.lab, ctx.resolve(p.node)), { connectTimeoutMs: 5000, queryTimeoutMs: 60_000 });
      try {
        const r = await c.query(p.query);
        return { succeeded: true, body: JSON.stringify(r.rows?.[0] ?? null).slice(0, 2000) };
      } finally {
        await c.end().catch(() => {});
      }
    } catch (e) {
      return { succeeded: false, error: errorText(e) };
    }
  },
});
