import type { ConditionContext, ConditionEvaluator, ConditionResult, ProbeRequest } from "./condition.js";
import { leaderCondition } from "./leader.js";
import { roleCondition } from "./role.js";
import { writableCondition } from "./writable.js";
import { noLeaderChangeCondition } from "./no-leader-change.js";
import { memberCondition } from "./member.js";
import { memberMissingWhileWritableCondition } from "./member-missing-while-writable.js";
import { streamingCondition } from "./streaming.js";
import { lagCondition } from "./lag.js";
import { dcsLagCondition } from "./dcs-lag.js";
import { etcdHealthyCondition } from "./etcd-healthy.js";
import { logCondition } from "./log.js";
import { restCondition, sqlCondition } from "./probe-conditions.js";
import { dcsEndpointCondition, haproxyCondition } from "./dcs-endpoint.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const evaluators: Record<string, ConditionEvaluator<any>> = {
  leader: leaderCondition,
  role: roleCondition,
  writable: writableCondition,
  no_leader_change: noLeaderChangeCondition,
  member: memberCondition,
  member_missing_while_writable: memberMissingWhileWritableCondition,
  streaming: streamingCondition,
  lag: lagCondition,
  dcs_lag: dcsLagCondition,
  etcd_healthy: etcdHealthyCondition,
  log: logCondition,
  dcs_endpoint: dcsEndpointCondition,
  haproxy: haproxyCondition,
  rest: restCondition,
  sql: sqlCondition,
};

export function evaluateCondition(c: { type: string }, ctx: ConditionContext): ConditionResult {
  const e = evaluators[c.type];
  if (!e) return { ok: false, detail: `condition '${c.type}' has no evaluator` };
  try {
    return e.evaluate(c, ctx);
  } catch (err) {
    return { ok: false, detail: `cannot evaluate: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function probesFor(c: { type: string }, ctx: ConditionContext): ProbeRequest[] {
  try {
    return evaluators[c.type]?.probes?.(c, ctx) ?? [];
  } catch {
    return [];
  }
}

export type { ConditionContext, ConditionResult, ProbeRequest };
