import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";
import { patroniNode, exactlyOne } from "../shared/params.js";

/** Which servers HAProxy routes to, from the recorder's HaproxySample. */
export const haproxy = defineCondition({
  type: "haproxy",
  description: "Which servers HAProxy routes to (needs topology.haproxy): `{ primary: <node> | none }` = exactly that server (no server) is UP on the primary port; `{ replica: <node> }` = that server is UP on the replicas port; `{ replica: none }` = none is.",
  schema: z
    .strictObject({
      primary: z
        .union([z.literal("none"), patroniNode("The one server UP on the primary port.")])
        .optional()
        .describe("The one Patroni node UP on HAProxy's primary port (5000), or none."),
      replica: z
        .union([z.literal("none"), patroniNode("A server UP on the replicas port.")])
        .optional()
        .describe("A Patroni node UP on HAProxy's replicas port (5001), or none (no server UP there)."),
    })
    .superRefine(exactlyOne(["primary", "replica"], "haproxy")),
  evaluate(c, ctx) {
    const s = ctx.history.latest("haproxy", (x) => !x.error, ctx.now);
    if (!s || s.t < ctx.since) {
      const any = ctx.history.latest("haproxy", undefined, ctx.now);
      return { ok: false, pending: true, detail: any ? `no HAProxy sample since the step began${any.error ? ` (${any.error})` : ""}` : "no HAProxy sample since the step began (is topology.haproxy set?)" };
    }
    const seen = `HAProxy routes primary → [${s.primary.join(", ")}], replicas → [${s.replicas.join(", ")}] at ${formatT(s.t)}`;
    if (c.primary !== undefined) {
      const want = c.primary === "none" ? [] : [ctx.resolve(c.primary)];
      return { ok: s.primary.length === want.length && s.primary.every((x, i) => x === want[i]), detail: seen };
    }
    const r = c.replica!;
    return { ok: r === "none" ? s.replicas.length === 0 : s.replicas.includes(ctx.resolve(r)), detail: seen };
  },
});
