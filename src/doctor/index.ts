import type { DoctorReport, Snapshot } from "./model.js";
import { DoctorInputError, gather, type DoctorTarget } from "./gather.js";
import { factsOf, runChecks } from "./checks/index.js";
import { errorText } from "../util/errors.js";

export type { DoctorReport, Finding, FindingCode, Snapshot } from "./model.js";
export { FINDING_CODES } from "./model.js";
export type { DoctorTarget } from "./gather.js";
export { DoctorInputError } from "./gather.js";

/** The checks on an already fetched snapshot (what the unit tests replay). */
export function diagnose(s: Snapshot): DoctorReport {
  const findings = runChecks(s);
  return {
    scope: s.scope,
    namespace: s.namespace,
    checkedAt: new Date(s.takenAt).toISOString(),
    exitCode: findings.length ? 1 : 0,
    findings,
    facts: factsOf(s),
    snapshot: s,
  };
}

/**
 * `pgchaos doctor`: read-only checks against a live Patroni cluster. Exit code 0 no findings,
 * 1 findings, 2 the cluster could not be read (no etcd answered, no such cluster).
 */
export async function runDoctor(t: DoctorTarget): Promise<DoctorReport> {
  try {
    return diagnose(await gather(t));
  } catch (e) {
    if (!(e instanceof DoctorInputError)) throw e;
    return { scope: t.scope ?? "", namespace: t.namespace ?? "/service/", checkedAt: new Date().toISOString(), exitCode: 2, error: errorText(e), findings: [] };
  }
}
