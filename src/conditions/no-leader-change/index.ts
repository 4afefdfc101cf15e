import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";

/**
 * The leader key keeps one holder over the whole window: every DCS sample that could read the
 * DCS since the window began names the same leader (the first such sample sets it).
 */
export const noLeaderChange = defineCondition({
  type: "no_leader_change",
  description: "The leader key keeps the same holder (use with `for:`).",
  schema: z
    .literal(true)
    .transform(() => ({}))
    .describe("Always `true`."),
  evaluate(_c, ctx) {
    const samples = ctx.history.of("dcs").filter((d) => d.reachable && d.t >= ctx.since && d.t <= ctx.now);
    if (!samples.length) return { ok: true, detail: "DCS not readable during the window so far: no leader change observable" };
    const first = samples[0].leader;
    const change = samples.find((d) => d.leader !== first);
    if (change) return { ok: false, detail: `leader changed from ${first ?? "none"} to ${change.leader ?? "none"} at ${formatT(change.t)}` };
    return { ok: true, detail: `leader ${first ?? "none"} throughout (${samples.length} DCS samples)` };
  },
});
