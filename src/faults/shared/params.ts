/** Parameter schemas shared by several fault kinds. */
import { z } from "zod";
import { duration, signedDuration, type NodeRef } from "../../scenario/primitives.js";
import { REQUEST_KINDS } from "../../dcs-proxy/request-kind.js";
import type { ReportIssue } from "../kind.js";

export const PROCESSES = ["patroni", "postgres", "etcd"] as const;

export const processParam = z.enum(PROCESSES).describe("Process inside the target containers: patroni, postgres or etcd.");

export const requestKinds = z
  .array(z.enum(REQUEST_KINDS))
  .min(1)
  .optional()
  .describe(`etcd request kinds it applies to: ${REQUEST_KINDS.join(", ")} (optional; default every kind).`);

/** process: etcd runs on etcd members; patroni and postgres on Patroni nodes. */
export function processMatchesTargets(value: { process: string; targets: NodeRef[] }, issue: ReportIssue): void {
  const proc = value.process;
  value.targets.forEach((r, i) => {
    const kind = r.type === "node" ? r.nodeKind : "patroni";
    const needs = proc === "etcd" ? "etcd" : "patroni";
    if (kind !== needs) {
      issue(
        ["targets", i],
        `process '${proc}' runs on ${needs === "etcd" ? "etcd members (e1, e2, ...)" : "Patroni nodes (pg1, pg2, ...)"}, but '${r.text}' is ${kind === "etcd" ? "an etcd member" : kind === "haproxy" ? "the haproxy node" : "a Patroni node"}`,
        r.text,
      );
    }
  });
}

/** Schemas of parameters that are durations (milliseconds once parsed): describe texts print them as durations. */
export const DURATION_SCHEMAS = new WeakSet<z.ZodType>();

/** An unsigned duration parameter (ms once parsed). */
export function durationParam(description: string) {
  const s = duration(description);
  DURATION_SCHEMAS.add(s);
  return s;
}

/** A signed duration parameter (ms once parsed, may be negative). */
export function signedDurationParam(description: string) {
  const s = signedDuration(description);
  DURATION_SCHEMAS.add(s);
  return s;
}
