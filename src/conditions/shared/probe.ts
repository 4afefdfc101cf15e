import type { ConditionContext } from "../kind.js";

/** The newest recorded answer to a probe in the step's window (an unknown one, taken while pgchaos stalled, is no answer). */
export function latestProbe(ctx: ConditionContext, key: string) {
  const p = ctx.history.latest("probe", (x) => x.key === key && !x.unknown, ctx.now);
  return p && p.t >= ctx.since ? p : undefined;
}
