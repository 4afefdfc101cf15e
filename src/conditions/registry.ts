/**
 * Every condition kind of `expect` steps, one import and one entry each. The scenario schema,
 * the loader's suggestions, the runner and the docs read this. In YAML a condition is a mapping
 * with exactly one key, the kind: `{ leader: none }`, `{ role: { node: pg1, is: replica } }`;
 * parsed, it is the flat object `{ type: <key>, ...fields }`.
 */
import type { z } from "zod";
import type { ConditionContext, ConditionKind, ConditionResult, ProbeRequest } from "./kind.js";
import { leader } from "./leader/index.js";
import { role } from "./role/index.js";
import { writable } from "./writable/index.js";
import { noLeaderChange } from "./no-leader-change/index.js";
import { member } from "./member/index.js";
import { memberMissingWhileWritable } from "./member-missing-while-writable/index.js";
import { streaming } from "./streaming/index.js";
import { lag } from "./lag/index.js";
import { dcsLag } from "./dcs-lag/index.js";
import { dcsEndpoint } from "./dcs-endpoint/index.js";
import { haproxy } from "./haproxy/index.js";
import { rest } from "./rest/index.js";
import { log } from "./log/index.js";
import { sql } from "./sql/index.js";
import { etcdHealthy } from "./etcd-healthy/index.js";
import { syncStandby } from "./sync-standby/index.js";

/** Keyed by the name scenarios use; the order is the JSON Schema's. */
export const CONDITION_KINDS = {
  leader,
  role,
  writable,
  no_leader_change: noLeaderChange,
  member,
  member_missing_while_writable: memberMissingWhileWritable,
  streaming,
  lag,
  dcs_lag: dcsLag,
  dcs_endpoint: dcsEndpoint,
  haproxy,
  rest,
  log,
  sql,
  etcd_healthy: etcdHealthy,
  sync_standby: syncStandby,
};

export type ConditionType = keyof typeof CONDITION_KINDS;
export const CONDITION_TYPES = Object.keys(CONDITION_KINDS) as ConditionType[];

/** A parsed condition: `{ type, ...fields }` where fields is the output of the key's schema. */
export type Condition = {
  [K in ConditionType]: { type: K } & z.output<(typeof CONDITION_KINDS)[K]["schema"]>;
}[ConditionType];

/** The registry seen through its schema types: `CONDITIONS[c.type].evaluate(c, ...)` type-checks per kind. */
export const CONDITIONS: { [K in ConditionType]: ConditionKind<(typeof CONDITION_KINDS)[K]["schema"]> } = CONDITION_KINDS;

function kindOf(c: { type: string }): ConditionKind | undefined {
  return Object.hasOwn(CONDITION_KINDS, c.type) ? (CONDITIONS[c.type as ConditionType] as unknown as ConditionKind) : undefined;
}

/** Judges one parsed condition on the recorded history; never throws (a broken condition is a failed one, with the reason). */
export function evaluateCondition(c: { type: string }, ctx: ConditionContext): ConditionResult {
  const kind = kindOf(c);
  if (!kind) return { ok: false, detail: `condition '${c.type}' has no evaluator` };
  try {
    return kind.evaluate(c, ctx);
  } catch (err) {
    return { ok: false, detail: `cannot evaluate: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The read-only probes the runner records before judging a condition (SQL, REST paths). */
export function probesFor(c: { type: string }, ctx: ConditionContext): ProbeRequest[] {
  try {
    return kindOf(c)?.probes?.(c, ctx) ?? [];
  } catch {
    return [];
  }
}

export type { ConditionContext, ConditionResult, ProbeRequest };
