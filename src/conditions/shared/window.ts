/** Reading the recorded history in an expect step's window, as every condition does. */
import type { ConditionContext, ConditionResult } from "../kind.js";
import type { NodeSample, DcsSample } from "../../history/events.js";
import { dcsSampleAt, nodeSampleAt, primaryAt } from "../../history/primary.js";

/** Times in condition details: the run axis formatter. */
export { formatT } from "../../util/time.js";

/**
 * Newest sample of a node taken in the window [since, now] (older ones do not describe "now").
 * Bounded by `now` too, so a condition is a pure function of the record and the window.
 */
export function nodeNow(ctx: ConditionContext, node: string): NodeSample | undefined {
  return nodeSampleAt(ctx.history, node, { at: ctx.now, since: ctx.since });
}

/** Newest DCS sample since the window began that could read the DCS. */
export function dcsNow(ctx: ConditionContext): DcsSample | undefined {
  return dcsSampleAt(ctx.history, { at: ctx.now, since: ctx.since });
}

export function lastDcsAttempt(ctx: ConditionContext): DcsSample | undefined {
  return ctx.history.latest("dcs", undefined, ctx.now);
}

export const noSample = (what: string): ConditionResult => ({ ok: false, pending: true, detail: `no ${what} sample since the step began` });

/** The primary in the step's window (history/primary.ts decides, for every part of pgchaos). */
export function primaryNow(ctx: ConditionContext): string | undefined {
  return primaryAt(ctx.history, ctx.patroniNodes, { at: ctx.now, since: ctx.since });
}

/**
 * Why there is no readable DCS sample in the window: none taken yet (pending: wait for one) or
 * the DCS could not be read (a real observation).
 */
export function dcsUnreadable(ctx: ConditionContext): ConditionResult {
  const last = lastDcsAttempt(ctx);
  if (!last || last.t < ctx.since) return { ok: false, pending: true, detail: "no DCS sample since the step began" };
  return { ok: false, detail: `DCS not readable since the step began${last.error ? ` (${last.error.slice(0, 120)})` : ""}` };
}
