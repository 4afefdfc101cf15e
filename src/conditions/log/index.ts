import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";
import { validRegex, sinceStep } from "../shared/params.js";
import { nodeRef } from "../../scenario/primitives.js";

/** Some container log line of the node matches the regular expression, since a step began (default: since ready). */
export const log = defineCondition({
  type: "log",
  description: "A container log line of a node matches a regular expression.",
  schema: z.strictObject({
    node: nodeRef(["patroni", "etcd", "haproxy"], "Node whose container log is searched (any node, e.g. e1 for etcd warnings)."),
    matches: validRegex,
    since: sinceStep("Only lines logged since this earlier step began (`start` = the first step). Default: since the cluster was ready."),
  }),
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    const from = c.since ? (ctx.stepStart(c.since) ?? 0) : 0;
    const re = new RegExp(c.matches);
    const hit = ctx.history.of("log").find((l) => l.node === node && l.t >= from && l.t <= ctx.now && re.test(l.line));
    return hit
      ? { ok: true, detail: `${node} at ${formatT(hit.t)}: ${hit.line.slice(0, 240)}` }
      : { ok: false, detail: `no line of ${node} matching /${c.matches}/ since ${formatT(from)}` };
  },
});
