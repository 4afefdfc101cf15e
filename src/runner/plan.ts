/**
 * Plan: a parsed scenario -> what the execute phase runs. Every step gets its label, its
 * describe text and its source line; fault steps their kind and their parameters as recorded
 * (node references as written). The lab's spec and every budget are fixed here, stretched by
 * the time scale, so execute only runs.
 */
import type { Scenario, Step } from "../scenario/schema.js";
import { clusterSpec, type ClusterSpec } from "../lab/topology.js";
import { DCS_PROXY_FAULTS, CONTAINER_STOPPING_FAULTS } from "../faults/registry.js";
import { describeStep } from "./describe-step.js";
import type { RunVersions } from "../versions/range.js";
import { decideWhen, WHEN_NOTE_PREFIX, whenText } from "../versions/when.js";

export interface ScenarioRunInput {
  scenario: Scenario;
  file: string;
  text: string;
  /** Source line of each step (for the report), by step index. */
  stepLines: (number | undefined)[];
}

export interface PlannedStep {
  /** Position in the scenario (0-based), as StepEvent.index. */
  index: number;
  /** The step's id, or `step-<n>` with n its 1-based number as people count (the progress line's "step n/N"). */
  label: string;
  /** One line for people: progress output, the timeline and the report. */
  text: string;
  line?: number;
  step: Step;
}

export interface RunPlan {
  scenario: Scenario;
  spec: ClusterSpec;
  steps: PlannedStep[];
  /** Default `within` of expect steps, already stretched by the time scale. */
  defaultWithinMs: number;
  settleMs: number;
  labReadyMs: number;
  /** Multiplies a budget by the time scale. */
  scale(ms: number): number;
}

/** The default label of the step at `index`: `step-<n>`, n counted from 1 as in "step n/N". */
export function stepLabel(step: Step, index: number): string {
  return step.id ?? `step-${index + 1}`;
}

export function planRun(input: ScenarioRunInput, timeScale: number): RunPlan {
  const { scenario } = input;
  const scale = (ms: number) => Math.round(ms * timeScale);
  return {
    scenario,
    spec: specFor(scenario),
    steps: scenario.steps.map((step, index) => ({ index, label: stepLabel(step, index), text: stepText(step), line: input.stepLines[index], step })),
    defaultWithinMs: scale(defaultWithinMs(scenario.patroni)),
    settleMs: scale(scenario.settle),
    labReadyMs: scale(180_000),
    scale,
  };
}

/** The step's text; a step with `when:` says which versions it is for ("... [when patroni >=4.0]"). */
function stepText(step: Step): string {
  return step.when ? `${describeStep(step)} [when ${whenText(step.when)}]` : describeStep(step);
}

/**
 * The steps that apply to the run's versions (read from its image): a step whose `when:`
 * ranges do not hold is left out. `notes` say, for every step with `when:`, whether it applied
 * and why; the runner records them and the report lists them.
 */
export function resolveWhen(plan: RunPlan, versions: RunVersions): { steps: PlannedStep[]; notes: string[] } {
  const steps: PlannedStep[] = [];
  const notes: string[] = [];
  for (const p of plan.steps) {
    if (!p.step.when) {
      steps.push(p);
      continue;
    }
    const d = decideWhen(p.step.when, versions);
    notes.push(`${WHEN_NOTE_PREFIX}step ${p.index + 1} (${p.label}${p.line ? `, line ${p.line}` : ""}) ${d.text}`);
    if (d.applies) steps.push(p);
  }
  return { steps, notes };
}

/** The scenario's topology and DCS settings as a lab cluster spec. */
export function specFor(s: Scenario): ClusterSpec {
  const overrides: ClusterSpec["overrides"] = {};
  for (const [node, o] of Object.entries(s.nodes)) overrides[node] = { patroniConfig: o.patroni_config, etcdHosts: o.etcd_hosts };
  return clusterSpec({
    ...(s.patroni_config ? { teamPatroniConfig: s.patroni_config } : {}),
    etcd: { members: s.topology.etcd.members, preVote: s.topology.etcd.pre_vote },
    patroni: { nodes: s.topology.patroni },
    haproxy: s.topology.haproxy,
    ...(s.topology.security ? { security: s.topology.security } : {}),
    dcsProxy: s.topology.dcs_proxy ?? s.steps.some((st) => st.kind === "fault" && DCS_PROXY_FAULTS.includes(st.fault)),
    keepDataWhileStopped: s.steps.some((st) => st.kind === "fault" && CONTAINER_STOPPING_FAULTS.includes(st.fault)),
    dcs: { ...s.patroni },
    overrides,
  });
}

/** ttl + 2 x loop_wait + retry_timeout: a lock expires, every node runs a loop, one DCS retry. */
export function defaultWithinMs(p: { ttl: number; loop_wait: number; retry_timeout: number }): number {
  return (p.ttl + 2 * p.loop_wait + p.retry_timeout) * 1000;
}

/** Parameters as recorded on the timeline and in the report: node references as written. */
export function paramsForRecord(params: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = refsAsText(v);
  return out;
}

function refsAsText(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(refsAsText);
  if (v && typeof v === "object") {
    if ("text" in v && "type" in v) return v.text;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, refsAsText(x)]));
  }
  return v;
}
