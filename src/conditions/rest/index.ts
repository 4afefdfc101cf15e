import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";
import { patroniNode, exactlyOne } from "../shared/params.js";
import { show } from "../../scenario/primitives.js";
import { isDeepStrictEqual } from "node:util";
import { latestProbe } from "../shared/probe.js";

function dig(v: unknown, dotted: string): { found: boolean; value?: unknown } {
  let cur: unknown = v;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object" || !(part in (cur as object))) return { found: false };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

/** A field of a REST answer, read by a probe the runner recorded (GET only). */
export const rest = defineCondition({
  type: "rest",
  description: "A field of a node's Patroni REST API answer: exactly one of `equals`, `not`, `exists`.",
  schema: z
    .strictObject({
      node: patroniNode(),
      path: z
        .string()
        .regex(/^\//, { error: (iss) => `invalid REST path ${show(iss.input)}: must start with /` })
        .default("/patroni")
        .describe("REST path to GET (default /patroni)."),
      field: z.string().min(1).describe("Dotted path into the JSON answer, e.g. failsafe_mode_is_active or xlog.location."),
      equals: z.unknown().optional().describe("The field equals this value (JSON equality)."),
      not: z.unknown().optional().describe("The field does not equal this value."),
      exists: z.boolean().optional().describe("The field is present (true) or absent (false)."),
    })
    .superRefine(exactlyOne(["equals", "not", "exists"], "rest")),
  probes: (c, ctx) => {
    const node = ctx.resolve(c.node);
    return [{ key: `rest:${node}:${c.path}`, node, kind: "rest", what: c.path }];
  },
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const p = latestProbe(ctx, `rest:${node}:${c.path}`);
    if (!p) return { ok: false, pending: true, detail: `no answer from ${node} ${c.path} yet` };
    if (!p.ok && p.value === undefined) return { ok: false, detail: `${node} GET ${c.path} failed: ${p.error}` };
    const { found, value } = dig(p.value, c.field);
    const seen = `${node} GET ${c.path} → ${p.status ?? "?"}, ${c.field} = ${found ? JSON.stringify(value) : "(absent)"} at ${formatT(p.t)}`;
    if (c.exists !== undefined) return { ok: found === c.exists, detail: seen };
    if (c.not !== undefined) return { ok: !found || !isDeepStrictEqual(value, c.not), detail: seen };
    return { ok: found && isDeepStrictEqual(value, c.equals), detail: seen };
  },
});
