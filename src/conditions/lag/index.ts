import { z } from "zod";
import { defineCondition } from "../kind.js";
import { nodeNow, primaryNow } from "../shared/window.js";
import { nodeOrAll } from "../shared/params.js";
import { size } from "../../scenario/primitives.js";

/** Replay lag in bytes behind the primary's current WAL position, from the REST samples. */
export const lag = defineCondition({
  type: "lag",
  description: "A replica's (or every replica's, `all`) replay lag behind the primary is below a size.",
  schema: z.strictObject({
    node: nodeOrAll("A Patroni node, or `all` for every replica."),
    below: size("Lag must be strictly below this."),
  }),
  evaluate(c, ctx) {
    const primary = primaryNow(ctx);
    if (!primary) {
      // Who is primary is only known once every node has been sampled in the window: until then
      // the primary's first sample may simply not have arrived (pending, not "no primary").
      const unsampled = ctx.patroniNodes.filter((n) => !nodeNow(ctx, n));
      if (unsampled.length === ctx.patroniNodes.length) return { ok: false, pending: true, detail: "no sample since the step began" };
      if (unsampled.length) return { ok: false, pending: true, detail: `no primary among the nodes sampled so far (none yet of ${unsampled.join(", ")})` };
      return { ok: false, detail: "no primary to measure lag against" };
    }
    const p = nodeNow(ctx, primary)!;
    if (p.receivedLsn === undefined) return { ok: false, detail: `${primary}'s WAL position unknown` };
    const nodes = c.node === "all" ? ctx.patroniNodes.filter((n) => n !== primary) : [ctx.resolve(c.node)];
    const parts: string[] = [];
    let ok = true;
    let pending = false;
    for (const n of nodes) {
      const s = nodeNow(ctx, n);
      const pos = s?.replayedLsn ?? s?.receivedLsn;
      if (pos === undefined) {
        ok = false;
        if (!s) pending = true;
        parts.push(`${n} position unknown`);
        continue;
      }
      const lag = Math.max(0, p.receivedLsn - pos);
      if (!(lag < c.below)) ok = false;
      parts.push(`${n} lag ${lag} B`);
    }
    return { ok, pending: !ok && pending, detail: `${parts.join("; ")} (primary ${primary})` };
  },
});
