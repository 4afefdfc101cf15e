import type { ConditionEvaluator, ConditionContext } from "./condition.js";
import { formatT } from "./condition.js";
import { isDeepStrictEqual } from "node:util";

function latestProbe(ctx: ConditionContext, key: string) {
  const p = ctx.history.latest("probe", (x) => x.key === key, ctx.now);
  return p && p.t >= ctx.since ? p : undefined;
}

function dig(v: unknown, dotted: string): { found: boolean; value?: unknown } {
  let cur: unknown = v;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object" || !(part in (cur as object))) return { found: false };
    cur = (cur as Record<string, unknown>)[part];
  }
  return { found: true, value: cur };
}

type RestCondition = { type: "rest"; node: { text: string }; path: string; field: string; equals?: unknown; not?: unknown; exists?: boolean };

/** A field of a REST answer, read by a probe the runner recorded (GET only). */
export const restCondition: ConditionEvaluator<RestCondition> = {
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
};

/** The first column of the first row of a query, read by a probe the runner recorded. */
export const sqlCondition: ConditionEvaluator<{ type: "sql"; node: { text: string }; query: string; equals: string | number | boolean }> = {
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
};
