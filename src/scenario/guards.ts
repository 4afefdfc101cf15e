/**
 * Cross-checks between parts of a parsed scenario that would otherwise be accepted and then go
 * wrong (or fail only once a lab is up): references of dcs_lag.since, faults and conditions
 * that need a topology feature that is off, clock-skew settings that cannot work, and
 * Patroni's timing rule set through per-node patroni_config. Called from semantic.ts; reads
 * the parsed scenario and positions only.
 */
import { DCS_PROXY_FAULTS } from "../faults/registry.js";
import type { Scenario } from "./schema.js";
import type { Path, SourceMap } from "./source.js";
import { isSeq } from "yaml";
import type { Problem } from "./zod-issues.js";

const TIMING_KEYS = ["ttl", "loop_wait", "retry_timeout"] as const;
type Timing = Record<(typeof TIMING_KEYS)[number], number>;

export function guardProblems(s: Scenario, src: SourceMap): Problem[] {
  const out: Problem[] = [];
  const stepIndex = new Map<string, number>();
  s.steps.forEach((st, i) => {
    if (st.id !== undefined && !stepIndex.has(st.id)) stepIndex.set(st.id, i);
  });
  /** Path of condition `j` of step `i`: a single condition is written without a list. */
  const conditionPath = (i: number, j: number): Path => (isSeqAt(src, ["steps", i, "expect"]) ? ["steps", i, "expect", j] : ["steps", i, "expect"]);

  const security = s.topology.security;
  if (security && (security.tls || security.auth) && s.topology.dcs_proxy === true) {
    out.push({
      path: ["topology", "dcs_proxy"],
      at: "value",
      message: "topology.dcs_proxy cannot be combined with topology.security: the DCS proxy speaks plain HTTP to etcd and holds no credentials; remove one of them",
    });
  }
  s.steps.forEach((step, i) => {
    if (step.kind === "fault" && security && (security.tls || security.auth)) {
      if (DCS_PROXY_FAULTS.includes(step.fault)) {
        out.push({
          path: ["steps", i, "fault"],
          at: "value",
          message: `${step.fault} acts through the DCS proxy, which cannot be combined with topology.security (it speaks plain HTTP to etcd and holds no credentials)`,
        });
      }
      if (step.fault === "etcd-rebuild" && security.auth) {
        out.push({
          path: ["steps", i, "fault"],
          at: "value",
          message: "etcd-rebuild starts an empty etcd cluster, without the users and roles topology.security.auth sets up once at the lab's start; use auth: false with it",
        });
      }
    }
    if (step.kind === "fault") {
      if (DCS_PROXY_FAULTS.includes(step.fault) && s.topology.dcs_proxy === false) {
        out.push({
          path: ["steps", i, "fault"],
          at: "value",
          message: `${step.fault} acts through the DCS proxy, but topology.dcs_proxy is false; remove dcs_proxy: false (the proxy is on by default when such a fault is used) or set it to true`,
        });
      }
      if (step.fault === "clock-skew") {
        if (step.method === "faketime") {
          out.push({
            path: ["steps", i, "method"],
            at: "value",
            message: "clock-skew method 'faketime' is not supported: libfaketime does not reach Go programs (etcd) and breaks Patroni on Python 3.11; use method: shim (the default)",
            allowed: ["shim"],
          });
        }
        if (step.processes !== "all") {
          const needs = step.processes === "etcd" ? "etcd" : "patroni";
          step.targets.forEach((r, j) => {
            const kind = r.type === "node" ? r.nodeKind : "patroni";
            if (kind !== needs) {
              out.push({
                path: ["steps", i, "targets", j],
                at: "value",
                message: `processes: ${step.processes} runs on ${needs === "etcd" ? "etcd members (e1, e2, ...)" : "Patroni nodes (pg1, pg2, ...)"}, but '${r.text}' is ${kind === "etcd" ? "an etcd member" : "a Patroni node"}; use processes: all or another target`,
              });
            }
          });
        }
      }
    }
    if (step.kind === "expect") {
      step.expect.forEach((c, j) => {
        if (c.type === "haproxy" && !s.topology.haproxy) {
          out.push({ path: [...conditionPath(i, j), "haproxy"], at: "key", message: "the haproxy condition needs an haproxy node: set topology.haproxy: true" });
        }
        if (c.type === "dcs_lag" && c.since !== undefined && c.since !== "start") {
          const at = stepIndex.get(c.since);
          if (at === undefined || at >= i) {
            out.push({
              path: [...conditionPath(i, j), "dcs_lag", "since"],
              at: "value",
              message:
                at === undefined
                  ? `unknown step id '${c.since}'; use start or an earlier step's id`
                  : `step '${c.since}' is ${at === i ? "this step" : "a later step"}; only start or an earlier step can be referred to`,
            });
          }
        }
      });
    }
  });

  s.invariants.forEach((inv, i) => {
    if (inv.name === "write-availability" && inv.options.via === "haproxy" && !s.topology.haproxy) {
      out.push({ path: ["invariants", i, "write-availability", "via"], at: "value", message: "via: haproxy needs an haproxy node: set topology.haproxy: true" });
    }
  });

  if (!s.allow_unsafe_timings) out.push(...nodeTimingProblems(s));
  return out;
}

function isSeqAt(src: SourceMap, path: Path): boolean {
  return isSeq(src.nodeAt(path));
}

/**
 * Patroni's rule loop_wait + 2*retry_timeout <= ttl, for the timings a node's patroni_config
 * sets: under bootstrap.dcs (merged over the scenario's patroni: settings) and at the top level
 * of patroni.yml (Patroni reads ttl, loop_wait and retry_timeout there too).
 */
function nodeTimingProblems(s: Scenario): Problem[] {
  const out: Problem[] = [];
  for (const [name, o] of Object.entries(s.nodes)) {
    const config = o.patroni_config;
    const dcs = record(record(config.bootstrap)?.dcs);
    const places: [Path, Record<string, unknown> | undefined][] = [
      [["nodes", name, "patroni_config", "bootstrap", "dcs"], dcs],
      [["nodes", name, "patroni_config"], config],
    ];
    let effective: Timing = { ttl: s.patroni.ttl, loop_wait: s.patroni.loop_wait, retry_timeout: s.patroni.retry_timeout };
    for (const [base, where] of places) {
      if (!where || !TIMING_KEYS.some((k) => k in where)) continue;
      const next = { ...effective };
      let firstKey: string | undefined;
      for (const k of TIMING_KEYS) {
        if (!(k in where)) continue;
        firstKey ??= k;
        const v = where[k];
        const n = typeof v === "number" ? v : typeof v === "string" && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
        if (!Number.isInteger(n) || n < 1) {
          out.push({ path: [...base, k], at: "value", message: `${k} must be a whole number of seconds of at least 1 (Patroni's ${k} is an integer, without unit)` });
          continue;
        }
        next[k] = n;
      }
      const { ttl, loop_wait, retry_timeout } = next;
      if (loop_wait + 2 * retry_timeout > ttl) {
        out.push({
          path: [...base, firstKey!],
          at: "value",
          message:
            `with this override ${name} runs loop_wait + 2*retry_timeout = ${loop_wait} + 2*${retry_timeout} = ${loop_wait + 2 * retry_timeout} > ttl ${ttl}; ` +
            `Patroni requires loop_wait + 2*retry_timeout <= ttl (the leader could lose its lock while still retrying the DCS). ` +
            `Fix the timings, or set allow_unsafe_timings: true if the scenario uses them on purpose`,
        });
      }
      effective = next;
    }
  }
  return out;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
