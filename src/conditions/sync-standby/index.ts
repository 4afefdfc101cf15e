import { z } from "zod";
import { defineCondition } from "../kind.js";
import type { NodeRef } from "../../scenario/primitives.js";
import { formatT, dcsNow, dcsUnreadable } from "../shared/window.js";
import { patroniNode, exactlyOne } from "../shared/params.js";

const syncSchema = z
  .union([
    z.enum(["exists", "none"]),
    z
      .strictObject({
        is: patroniNode("This node is one of the synchronous standbys the sync key names.").optional(),
        not: patroniNode("This node is not named synchronous (no sync key also satisfies it).").optional(),
      })
      .superRefine(exactlyOne(["is", "not"], "sync_standby")),
  ])
  .transform((v): { exists?: boolean; is?: NodeRef; not?: NodeRef } => (v === "exists" ? { exists: true } : v === "none" ? { exists: false } : v));

/**
 * Patroni's /sync key (synchronous_mode): which standbys the current primary has made
 * synchronous. The key counts only while it names the holder of the leader key (Patroni writes
 * it for its leader; a key left from an earlier leader names no standby of this one). Judged only
 * on samples that could read the DCS.
 */
export const syncStandby = defineCondition({
  type: "sync_standby",
  description:
    "Patroni's /sync key (synchronous_mode) for the current leader: `exists` (some standby is synchronous), `none`, `{ is: <node> }` (that node is among the synchronous standbys) or `{ not: <node> }`.",
  schema: syncSchema,
  evaluate(c, ctx) {
    const d = dcsNow(ctx);
    if (!d) return dcsUnreadable(ctx);
    const current = d.sync && d.leader !== null && d.sync.leader === d.leader ? d.sync.standbys : [];
    const seen = d.sync
      ? `sync key for ${d.sync.leader ?? "no leader"}: ${d.sync.standbys.length ? d.sync.standbys.join(", ") : "no synchronous standby"}${d.sync.quorum !== undefined ? ` (quorum ${d.sync.quorum})` : ""}; leader key ${d.leader ? `held by ${d.leader}` : "absent"} (DCS at ${formatT(d.t)})`
      : `no sync key; leader key ${d.leader ? `held by ${d.leader}` : "absent"} (DCS at ${formatT(d.t)})`;
    if (c.is) return { ok: current.includes(ctx.resolve(c.is)), detail: seen };
    if (c.not) return { ok: !current.includes(ctx.resolve(c.not)), detail: seen };
    return { ok: (current.length > 0) === c.exists, detail: seen };
  },
});
