import type { z } from "zod";
import type { History } from "../history/history.js";

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

/**
 * What one condition kind is, in one place (src/conditions/<kind>/index.ts): the schema of its
 * YAML value, its description, and how it judges the recorded history. A condition never
 * touches the cluster: what it needs beyond the recorder's samples it asks for as probes, which
 * the runner records before judging.
 */
export interface ConditionKind<S extends z.ZodType = z.ZodType> {
  /** Name in scenarios: the condition's one key. */
  readonly type: string;
  /** One sentence for the JSON Schema, editors and docs. */
  readonly description: string;
  /** The key's value; its output is the parsed condition's fields. */
  readonly schema: S;
  evaluate(c: z.output<S>, ctx: ConditionContext): ConditionResult;
  /** Read-only probes the runner must record before evaluating (SQL, REST paths). */
  probes?(c: z.output<S>, ctx: ConditionContext): ProbeRequest[];
}

/** Declares a condition kind; the identity function that lets TypeScript infer the field types. */
export function defineCondition<S extends z.ZodType>(kind: ConditionKind<S>): ConditionKind<S> {
  return kind;
}

export interface ProbeRequest {
  key: string;
  node: string;
  kind: "sql" | "rest";
  /** SQL text, or REST path. */
  what: string;
}

