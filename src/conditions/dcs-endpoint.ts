import type { ConditionEvaluator } from "./condition.js";
import { formatT } from "./condition.js";

type Ref = { text: string };

/** The etcd member a Patroni node currently talks to, from the recorder's DcsEndpointSample. */
export const dcsEndpointCondition: ConditionEvaluator<{ type: "dcs_endpoint"; node: Ref; is?: Ref; not?: Ref }> = {
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
};

/** Which servers HAProxy routes to, from the recorder's HaproxySample. */
export const haproxyCondition: ConditionEvaluator<{ type: "haproxy"; primary?: Ref | "none"; replica?: Ref | "none" }> = {
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
};
