/**
 * Checks that need the whole parsed scenario: step ids and references to steps, node names
 * against the topology, per-node overrides, the workload route, and Patroni's timing rule.
 * Runs after the schema parse succeeded; positions come from the YAML source.
 */
import { type NodeKind, type NodeRef, NODE_REF_KINDS, isNodeRef } from "./primitives.js";
import { type Scenario, type Step, faultParams } from "./schema.js";
import type { Path, SourceMap } from "./source.js";
import { closest } from "./suggest.js";
import { guardProblems } from "./guards.js";
import type { Problem } from "./zod-issues.js";
import { ACTIONS } from "../actions/registry.js";
import { FAULTS, LIVE_UPDATABLE as LIVE_UPDATABLE_TYPES } from "../faults/registry.js";
import { etcdName, patroniName } from "../lab/topology.js";
import { rangesDisjoint, VERSIONED } from "../versions/range.js";

const LIVE_UPDATABLE = new Set<string>(LIVE_UPDATABLE_TYPES);

/** Node names of a topology, by kind (named as the lab names them). */
export function topologyNodes(s: Pick<Scenario, "topology">): Record<NodeKind, string[]> {
  return {
    patroni: Array.from({ length: s.topology.patroni }, (_, i) => patroniName(i)),
    etcd: Array.from({ length: s.topology.etcd.members }, (_, i) => etcdName(i)),
    haproxy: s.topology.haproxy ? ["haproxy"] : [],
  };
}

/** Keys whose values are free text: never taken for a node or step reference. */
const FREE_TEXT_KEYS = new Set(["note", "description", "query", "matches", "args", "field", "path", "equals"]);

function range(names: string[]): string {
  if (names.length === 0) return "none";
  if (names.length <= 2) return names.join(", ");
  return `${names[0]}..${names[names.length - 1]}`;
}

export function semanticProblems(s: Scenario, src: SourceMap): Problem[] {
  const out: Problem[] = [];
  const nodes = topologyNodes(s);
  const all = [...nodes.patroni, ...nodes.etcd, ...nodes.haproxy];

  /* Patroni's timing rule. */
  const { ttl, loop_wait, retry_timeout } = s.patroni;
  if (loop_wait + 2 * retry_timeout > ttl && !s.allow_unsafe_timings) {
    const key = (["ttl", "retry_timeout", "loop_wait"] as const).find((k) => src.hasKey(["patroni"], k));
    out.push({
      path: key ? ["patroni", key] : ["patroni"],
      at: "value",
      message:
        `Patroni requires loop_wait + 2*retry_timeout <= ttl, but ${loop_wait} + 2*${retry_timeout} = ${loop_wait + 2 * retry_timeout} > ${ttl}: ` +
        `the leader could lose its lock while still retrying the DCS. Raise ttl or lower loop_wait/retry_timeout, ` +
        `or set allow_unsafe_timings: true if the scenario uses these timings on purpose`,
    });
  }

  /* Workload route. */
  if (s.workload.via === "haproxy" && !s.topology.haproxy) {
    out.push({ path: ["workload", "via"], at: "value", message: "via: haproxy needs an haproxy node: set topology.haproxy: true" });
  }

  /* Per-node overrides. */
  for (const [name, o] of Object.entries(s.nodes)) {
    if (!nodes.patroni.includes(name)) {
      const what = nodes.etcd.includes(name) || /^e[0-9]+$/.test(name) ? `'${name}' is an etcd member; ` : name === "haproxy" ? "'haproxy' is not a Patroni node; " : `unknown node '${name}'; `;
      out.push({
        path: ["nodes", name],
        at: "key",
        message: `${what}nodes: overrides are for Patroni nodes`,
        allowed: nodes.patroni,
        suggestion: /^(?:pg|e)[0-9]+$/.test(name) ? undefined : closest(name, nodes.patroni),
      });
    }
    const seen = new Set<string>();
    (o.etcd_hosts ?? []).forEach((h, i) => {
      if (!nodes.etcd.includes(h)) {
        out.push({ path: ["nodes", name, "etcd_hosts", i], at: "value", message: `unknown etcd member '${h}' (the topology has ${range(nodes.etcd)})`, allowed: nodes.etcd });
      } else if (seen.has(h)) {
        out.push({ path: ["nodes", name, "etcd_hosts", i], at: "value", message: `'${h}' is listed twice` });
      }
      seen.add(h);
    });
  }

  /* Step ids. */
  const ids = new Map<string, number>();
  s.steps.forEach((step, i) => {
    if (step.id === undefined) return;
    const first = ids.get(step.id);
    if (first !== undefined && !whenDisjoint(s.steps, step.id, i)) {
      out.push({
        path: ["steps", i, "id"],
        at: "value",
        message: `duplicate step id '${step.id}' (first used by steps[${first}] at line ${src.locate(["steps", first, "id"]).line})${step.when ? "; steps may share an id only when their when: ranges for one component never overlap" : ""}`,
      });
    } else if (first === undefined) ids.set(step.id, i);
  });

  /** Problem text when `id` is not `start` or an earlier step's id, seen from step `i`. */
  const stepRefProblem = (id: string, i: number): { message: string; allowed?: string[]; suggestion?: string } | undefined => {
    if (id === "start") return undefined;
    const at = ids.get(id);
    if (at !== undefined && at < i) return undefined;
    const earlier = ["start", ...idsBefore(s.steps, i, () => true)];
    if (at === undefined) return { message: `unknown step id '${id}'`, allowed: earlier, suggestion: closest(id, earlier) };
    if (at >= i) return { message: `step '${id}' is ${at === i ? "this step" : "a later step"}; only start or an earlier step can be referred to`, allowed: earlier };
    return undefined;
  };

  /* Per step. */
  s.steps.forEach((step, i) => {
    const base: Path = ["steps", i];

    if (step.kind === "heal" && step.heal !== "all") {
      const at = ids.get(step.heal);
      const allowed = () => [...idsBefore(s.steps, i, (st) => st.kind === "fault"), "all"];
      if (at === undefined) {
        out.push({ path: [...base, "heal"], at: "value", message: `heal of unknown step id '${step.heal}'`, allowed: allowed(), suggestion: closest(step.heal, allowed()) });
      } else if (at >= i) {
        out.push({ path: [...base, "heal"], at: "value", message: `heal of '${step.heal}', which is ${at === i ? "this step" : "a later step"}; heal an earlier fault step`, allowed: allowed() });
      } else if (s.steps[at].kind !== "fault") {
        out.push({ path: [...base, "heal"], at: "value", message: `'${step.heal}' is ${article(s.steps[at].kind)} step, not a fault step`, allowed: allowed() });
      }
    }

    if (step.kind === "update") {
      const at = ids.get(step.update);
      const live = () => idsBefore(s.steps, i, (st) => st.kind === "fault" && LIVE_UPDATABLE.has(st.fault));
      if (at === undefined || at >= i) {
        out.push({ path: [...base, "update"], at: "value", message: `update of '${step.update}', which is not an earlier fault step`, allowed: live(), suggestion: closest(step.update, live()) });
      } else {
        const target = s.steps[at];
        if (target.kind !== "fault" || !LIVE_UPDATABLE.has(target.fault)) {
          out.push({ path: [...base, "update"], at: "value", message: `'${step.update}' cannot be changed live; faults that can: ${[...LIVE_UPDATABLE].join(", ")}`, allowed: live() });
        }
      }
    }

    // Node references anywhere in the step.
    const bad = new Map<string, { message: string; allowed?: string[]; suggestion?: string }>();
    for (const ref of nodeRefsIn(step)) {
      if (bad.has(ref.text)) continue;
      if (ref.type === "node") {
        if (!all.includes(ref.name)) {
          const kinds = NODE_REF_KINDS.get(ref) ?? ["patroni", "etcd", "haproxy"];
          const allowed = kinds.flatMap((k) => nodes[k]);
          const have = [`${range(nodes.patroni)} (Patroni)`, `${range(nodes.etcd)} (etcd)`, ...(nodes.haproxy.length ? ["haproxy"] : [])].join(", ");
          const message =
            ref.name === "haproxy" ? "unknown node 'haproxy': the topology has no haproxy (set topology.haproxy: true)" : `unknown node '${ref.name}': the topology has ${have}`;
          // A well-formed name out of range: a suggestion would be a guess.
          bad.set(ref.text, { message, allowed });
        }
      } else {
        const p = stepRefProblem(ref.step, i);
        if (p) bad.set(ref.text, { ...p, message: `in '${ref.text}': ${p.message}` });
      }
    }
    for (const [text, p] of bad) {
      const where = src.findScalars(base, (v, path) => v === text && !path.some((k) => FREE_TEXT_KEYS.has(String(k))));
      for (const path of where.length ? where : [base]) out.push({ path, at: "value", ...p });
    }

    if (step.kind === "expect") {
      for (const c of step.expect) {
        if (c.type === "log" && c.since !== undefined) {
          const p = stepRefProblem(c.since, i);
          if (p) {
            const where = src.findScalars(base, (v, path) => v === c.since && path[path.length - 1] === "since");
            for (const path of where.length ? where : [base]) out.push({ path, at: "value", ...p, message: `since: ${p.message}` });
          }
        }
        if (c.type === "etcd_healthy" && typeof c.count === "number" && c.count > nodes.etcd.length) {
          const where = src.findScalars(base, (v, path) => path[path.length - 1] === "count" && path[path.length - 2] === "etcd_healthy");
          for (const path of where.length ? where : [base]) {
            out.push({ path, at: "value", message: `count ${c.count} is more than the ${nodes.etcd.length} etcd members of the topology` });
          }
        }
      }
    }

    if (step.kind === "fault") {
      const kind: { semanticCheck?(params: object, nodes: Record<NodeKind, string[]>): { path: (string | number)[]; message: string }[] } = FAULTS[step.fault];
      for (const p of kind.semanticCheck?.(faultParams(step), nodes) ?? []) out.push({ path: [...base, ...p.path], at: "value", message: p.message });
    }

    if (step.kind === "action") {
      const kind: { semanticCheck?(params: object, nodes: Record<NodeKind, string[]>): { path: (string | number)[]; message: string }[] } = ACTIONS[step.action];
      for (const p of kind.semanticCheck?.(step, nodes) ?? []) out.push({ path: [...base, ...p.path], at: p.path.length ? "value" : "key", message: p.message });
    }
  });

  /* Known issues name this scenario's steps (ids, or step-<index> for unnamed ones). */
  const stepNames = s.steps.map((st, i) => st.id ?? `step-${i + 1}`);
  (s.known_issues ?? []).forEach((k, i) => {
    if (k.scenario !== undefined && k.scenario !== s.name)
      out.push({ path: ["known_issues", i, "scenario"], at: "value", message: `a scenario's own known issue applies to it: scenario is '${s.name}' or omitted` });
    (k.covers.steps ?? []).forEach((id, j) => {
      if (!stepNames.includes(id))
        out.push({ path: ["known_issues", i, "covers", "steps", j], at: "value", message: `no step '${id}' in this scenario`, allowed: stepNames, ...(closest(id, stepNames) ? { suggestion: closest(id, stepNames) } : {}) });
    });
  });

  return [...out, ...guardProblems(s, src)];
}

/**
 * Whether step `i` and every earlier step with the same id can never run in the same lab: for
 * each pair, both carry `when:` with non-overlapping ranges for one component (e.g. one expectation
 * for patroni "<4" and one for ">=4"), so the id names one expectation per version.
 */
function whenDisjoint(steps: Step[], id: string, i: number): boolean {
  const w = steps[i].when;
  if (!w) return false;
  return steps.slice(0, i).every((other) => {
    if (other.id !== id) return true;
    const o = other.when;
    return !!o && VERSIONED.some((c) => w[c] !== undefined && o[c] !== undefined && rangesDisjoint(w[c], o[c]));
  });
}

/** Listed in messages and searched for a suggestion: more earlier step ids are noise (and quadratic). */
const MAX_LISTED_IDS = 20;

/** Ids of the (at most MAX_LISTED_IDS) nearest steps before step `i` that satisfy `pred`, in step order. */
function idsBefore(steps: Step[], i: number, pred: (st: Step) => boolean): string[] {
  const found: string[] = [];
  for (let j = i - 1; j >= 0 && found.length < MAX_LISTED_IDS; j--) {
    const id = steps[j].id;
    if (id !== undefined && pred(steps[j]) && !found.includes(id)) found.push(id);
  }
  return found.reverse();
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

/** Every NodeRef object inside a parsed step. */
export function nodeRefsIn(step: Step): NodeRef[] {
  const found: NodeRef[] = [];
  const walk = (v: unknown): void => {
    if (isNodeRef(v)) found.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(step);
  return found;
}
