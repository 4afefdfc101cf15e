import type { History } from "../history/history.js";
import type { NodeSample, DcsSample } from "../history/events.js";

/** What a condition may look at: the recorded history, read-only, and how to name nodes. */
export interface ConditionContext {
  history: History;
  /** Start of the window this evaluation covers (the expect step's start), on the history axis. */
  since: number;
  /** Now, on the history axis. */
  now: number;
  /** Resolves a NodeRef (as parsed) to a node name. */
  resolve(ref: { text: string }): string;
  /** Start time of a step by id (`start` = the first step). */
  stepStart(id: string): number | undefined;
  patroniNodes: readonly string[];
  etcdNodes: readonly string[];
}

export interface ConditionResult {
  ok: boolean;
  /** Nothing observed in the window yet to judge by (a `for:` window waits for data). */
  pending?: boolean;
  /** What was seen, for the report: "leader is pg2 (DCS at +12.3s)". */
  detail: string;
}

/** A condition judges the recorded history; it never touches the cluster. */
export interface ConditionEvaluator<C> {
  evaluate(c: C, ctx: ConditionContext): ConditionResult;
  /** Read-only probes the runner must record before evaluating (SQL, REST paths). */
  probes?(c: C, ctx: ConditionContext): ProbeRequest[];
}

export interface ProbeRequest {
  key: string;
  node: string;
  kind: "sql" | "rest";
  /** SQL text, or REST path. */
  what: string;
}

/** Times in condition details: the run axis formatter. */
export { formatT } from "../util/time.js";

/**
 * Newest sample of a node taken in the window [since, now] (older ones do not describe "now").
 * Bounded by `now` too, so a condition is a pure function of the record and the window.
 */
export function nodeNow(ctx: ConditionContext, node: string): NodeSample | undefined {
  const s = ctx.history.latest("node", (x) => x.node === node, ctx.now);
  return s && s.t >= ctx.since ? s : undefined;
}

/** Newest DCS sample since the window began that could read the DCS. */
export function dcsNow(ctx: ConditionContext): DcsSample | undefined {
  const s = ctx.history.latest("dcs", (x) => x.reachable, ctx.now);
  return s && s.t >= ctx.since ? s : undefined;
}

export function lastDcsAttempt(ctx: ConditionContext): DcsSample | undefined {
  return ctx.history.latest("dcs", undefined, ctx.now);
}

export const noSample = (what: string): ConditionResult => ({ ok: false, pending: true, detail: `no ${what} sample since the step began` });

/** The node that is primary now: DCS leader if it says it is writable, else the writable node. */
export function primaryNow(ctx: ConditionContext): string | undefined {
  const dcs = dcsNow(ctx);
  if (dcs?.leader && nodeNow(ctx, dcs.leader)?.writable) return dcs.leader;
  return ctx.patroniNodes.find((n) => nodeNow(ctx, n)?.writable);
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
