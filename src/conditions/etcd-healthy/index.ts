import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";

/** How many etcd members answer /health with health=true. */
export const etcdHealthy = defineCondition({
  type: "etcd_healthy",
  description: "How many etcd members answer /health with health=true: `{ count: <n> }` (at least n) or `all`.",
  schema: z
    .union([z.literal("all"), z.strictObject({ count: z.number().int().min(0).describe("At least this many healthy members.") })])
    .transform((v): { count: number | "all" } => (v === "all" ? { count: "all" } : v)),
  evaluate(c, ctx) {
    const d = ctx.history.latest("dcs", undefined, ctx.now);
    if (!d || d.t < ctx.since) return { ok: false, pending: true, detail: "no etcd health sample since the step began" };
    const healthy = Object.entries(d.etcdHealth).filter(([, h]) => h).map(([n]) => n);
    const need = c.count === "all" ? ctx.etcdNodes.length : c.count;
    return { ok: healthy.length >= need, detail: `${healthy.length} healthy [${healthy.join(", ")}] at ${formatT(d.t)}` };
  },
});
