import { z } from "zod";
import { defineCondition } from "../kind.js";
import { formatT } from "../shared/window.js";
import { patroniNode, exactlyOne } from "../shared/params.js";
import { nodeRef } from "../../scenario/primitives.js";

/** The etcd member a Patroni node currently talks to, from the recorder's DcsEndpointSample. */
export const dcsEndpoint = defineCondition({
  type: "dcs_endpoint",
  description: "The etcd member a Patroni node currently talks to (its most recently active connection to port 2379, or behind the DCS proxy to the proxy's port for that member): `{ node, is: <etcd member> }` or `{ node, not: <etcd member> }`.",
  schema: z
    .strictObject({
      node: patroniNode(),
      is: nodeRef(["etcd"], "The node's current etcd member is this one.").optional(),
      not: nodeRef(["etcd"], "The node's current etcd member is not this one (no connection also satisfies it).").optional(),
    })
    .superRefine(exactlyOne(["is", "not"], "dcs_endpoint")),
  evaluate(c, ctx) {
    const node = ctx.resolve(c.node);
    // Only samples in the window [since, now]: a pure function of the record and the window.
    const s = ctx.history.latest("dcs-endpoint", (x) => x.node === node && !x.error, ctx.now);
    if (!s || s.t < ctx.since) return { ok: false, pending: true, detail: `no ${node} DCS endpoint sample since the step began` };
    const member = ctx.resolve((c.is ?? c.not)!);
    // Since when has it been on its current member (consecutive samples with the same one)?
    const same = ctx.history.of("dcs-endpoint").filter((x) => x.node === node && !x.error && x.t <= s.t);
    let since = s.t;
    for (let i = same.length - 1; i >= 0 && same[i].current === s.current; i--) since = same[i].t;
    const idle = Object.entries(s.idleMs ?? {})
      .map(([m, ms]) => `${m} ${(ms / 1000).toFixed(1)} s`)
      .join(", ");
    const seen = s.current
      ? `${node} talks to ${s.current} (since ${formatT(since)}; idle: ${idle}) at ${formatT(s.t)}`
      : `${node} has no connection to etcd at ${formatT(s.t)}`;
    const on = s.current === member;
    return { ok: c.is ? on : !on, detail: seen };
  },
});
