import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT, dcsNow } from "../shared/window.js";
import { nodeOrAll, exactlyOne, sinceStep } from "../shared/params.js";
import { size } from "../../scenario/primitives.js";
import type { DcsSample } from "../../history/events.js";

/**
 * The lag column `patronictl list` shows, from member keys in the DCS (DcsSample.dcsLagBytes):
 * below (or above) a size in the newest DCS sample, or with `since` in every DCS sample since
 * that step began. This is what people look at; Patroni's switchover check asks each candidate's REST
 * API instead (incident 4: the column said 0 while the switchover was refused for lag).
 */
export const dcsLag = defineCondition({
  type: "dcs_lag",
  description: "The lag column as patronictl shows it, from member keys in the DCS (the leader's xlog_location minus the member's, up to loop_wait old), is below (or above) a size for a replica (or every replica, `all`): in the newest DCS sample, or with `since` in every DCS sample since that step began.",
  schema: z
    .strictObject({
      node: nodeOrAll("A Patroni node, or `all` for every replica."),
      below: size("The DCS lag column must be strictly below this.").optional(),
      above: size("The DCS lag column must be strictly above this.").optional(),
      since: sinceStep("Judge every DCS sample since this earlier step began (`start` = the first step), not only the newest (optional)."),
    })
    .superRefine(exactlyOne(["below", "above"], "dcs_lag")),
  evaluate(c, ctx) {
    let samples: DcsSample[];
    let from: number | undefined;
    if (c.since !== undefined) {
      from = ctx.stepStart(c.since);
      if (from === undefined) return { ok: false, detail: `since: step '${c.since}' has not started` };
      samples = ctx.history.of("dcs").filter((d) => d.reachable && d.t >= from! && d.t <= ctx.now);
    } else {
      const d = dcsNow(ctx);
      samples = d ? [d] : [];
    }
    if (!samples.length) return { ok: false, pending: true, detail: `no DCS sample${from !== undefined ? ` since ${formatT(from)}` : " since the step began"}` };
    const wanted = c.node === "all" ? undefined : ctx.resolve(c.node);
    const max = new Map<string, number>();
    const min = new Map<string, number>();
    const asLeader = new Set<string>();
    let unknown = 0;
    for (const d of samples) {
      const nodes = wanted ? [wanted] : ctx.patroniNodes.filter((n) => n !== d.leader);
      for (const n of nodes) {
        if (n === d.leader) {
          asLeader.add(n);
          continue;
        }
        const lag = d.dcsLagBytes?.[n];
        if (lag === undefined) {
          unknown++;
          continue;
        }
        max.set(n, Math.max(max.get(n) ?? 0, lag));
        min.set(n, Math.min(min.get(n) ?? Infinity, lag));
      }
    }
    const above = c.above !== undefined;
    const shown = above ? min : max;
    const parts = [...shown].map(([n, v]) => `${n} ${v} B`);
    const what = samples.length > 1 ? `${above ? "min" : "max"} over ${samples.length} DCS samples since ${formatT(from!)}` : `DCS at ${formatT(samples[0].t)}`;
    if (!max.size) {
      return { ok: false, detail: `no DCS lag value${wanted ? ` for ${wanted}` : ""} (${asLeader.size ? `${[...asLeader].join(", ")} held the leader key; ` : ""}${what})` };
    }
    const ok = (above ? [...min.values()].every((v) => v > c.above!) : [...max.values()].every((v) => v < (c.below ?? Infinity))) && (!wanted || !asLeader.has(wanted));
    return {
      ok,
      detail: `DCS lag column: ${parts.join("; ")} (${what}${unknown ? `; ${unknown} values missing` : ""}${wanted && asLeader.has(wanted) ? `; ${wanted} held the leader key in some samples` : ""})`,
    };
  },
});
