/**
 * The scenario format (v1): the single source of truth for the TypeScript types, the loader's
 * validation and the generated JSON Schema (schema/scenario.schema.json).
 *
 * Every mapping is strict (an unknown key is an error). Parsing applies defaults and
 * normalises shorthand forms, so code that consumes a parsed `Scenario` never sees the
 * alternatives a YAML author may write:
 * - durations are milliseconds, sizes are bytes;
 * - `topology.etcd` is always `{ members, pre_vote }`;
 * - node references are `NodeRef` objects, `targets` is always a list;
 * - a step has `kind`: fault | action | expect | heal | sleep;
 * - `expect` is always a list of conditions `{ type, ...fields }`;
 * - invariants are `{ name, options }` ready for `checkers[name](options)`.
 *
 * Rules that need the whole scenario (step ids, references, topology, Patroni's timing rule)
 * are checked after this schema, in semantic.ts.
 */
import { z } from "zod";
import { knownIssueSchema } from "../known-issues/schema.js";
import { ACTIONS, ACTION_TYPES, type ActionType } from "../actions/registry.js";
import { CONDITIONS, CONDITION_TYPES, type Condition, type ConditionType } from "../conditions/registry.js";
import type { ReportIssue } from "../faults/kind.js";
import { FAULTS, FAULT_TYPES, LIVE_UPDATABLE, LIVE_UPDATE_PARAMS, type FaultType } from "../faults/registry.js";
import { duration, keyedUnion, show, signedDuration, size, stepIdSchema, typeName } from "./primitives.js";
import { rangeError } from "../versions/range.js";
import { patroniSettings } from "./patroni-settings.js";

export { type NodeRef, type NodeKind } from "./primitives.js";
export { type Condition, type ConditionType } from "../conditions/registry.js";
export { type ExpectedRole } from "../conditions/shared/params.js";
export { type FaultType, FAULT_TYPES } from "../faults/registry.js";
export { type ActionType, ACTION_TYPES } from "../actions/registry.js";
export { CONDITION_TYPES } from "../conditions/registry.js";

export const SCENARIO_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/* ------------------------------------------------------------------------------------------ */
/* Steps                                                                                      */

/** A semver range for one component, checked when the scenario is loaded. */
const versionRange = (what: string, appliesTo: string, otherwise: string) =>
  z
    .string()
    .superRefine((v, ctx) => {
      const e = rangeError(v);
      if (e) ctx.addIssue({ code: "custom", input: v, message: e });
    })
    .optional()
    .describe(`Range of ${what} versions ${appliesTo} (semver range, e.g. ">=4.0"); ${otherwise}.`);

const WHEN_STEP = "the step applies to";
const WHEN_SKIP = "on other versions the step is not run, and the report says why";

/** `when:` of a step: the versions it applies to (resolved against the run's versions read from the image). */
export const whenSchema = z
  .strictObject({
    patroni: versionRange("Patroni", WHEN_STEP, WHEN_SKIP),
    postgres: versionRange("PostgreSQL", WHEN_STEP, WHEN_SKIP),
    etcd: versionRange("etcd", WHEN_STEP, WHEN_SKIP),
    because: z
      .string()
      .min(1)
      .optional()
      .describe("Why the versions differ here: what the component's documentation or changelog says (shown in the report)."),
  })
  .refine((w) => w.patroni !== undefined || w.postgres !== undefined || w.etcd !== undefined, {
    error: "when: names at least one version range (patroni, postgres or etcd)",
  })
  .describe(
    "The versions this step applies to (version ranges, the syntax of requires:). A step whose ranges do not hold for the lab's versions is not run; the report says which branch applied and why. Two steps may share an id when their ranges for one component never overlap (one expectation, per version).",
  );

const stepCommon = {
  id: stepIdSchema(
    "Step id (optional): lowercase letters, digits, '-' and '_'. Referenced by heal:, leader@<id>, replica@<id> and log.since. Unique in the scenario.",
  ).optional(),
  note: z.string().optional().describe("Free text shown in the timeline and the report."),
  when: whenSchema.optional(),
  on_error: z
    .enum(["stop", "continue"])
    .optional()
    .describe(
      "What an error of this step does (a fault that cannot be applied, a heal that does not take, a node reference nobody holds): stop (default) ends the steps there, heals every fault and judges what was recorded (outcome error); continue records the step as skipped, with the error, and goes on with the next step. A failed expectation is a failure, not an error, and never stops the steps.",
    ),
};

function faultOption<K extends FaultType>(type: K) {
  const kind = FAULTS[type];
  const obj = z
    .strictObject({
      fault: z.literal(type).describe(`Fault type. ${kind.description}`),
      ...kind.params,
      duration: duration("Heal the fault automatically after this long (optional).").optional(),
      ...stepCommon,
    })
    .describe(`Fault ${type}: ${kind.description}`);
  // Seen from here a kind's check takes any parsed step of that kind (its parameters plus the common keys).
  const checked: { check?(params: Record<string, unknown>, issue: ReportIssue): void } = kind;
  if (!checked.check) return obj;
  return obj.superRefine((v, ctx) => checked.check?.(v, (path, message, input) => ctx.addIssue({ code: "custom", path, message, input })));
}
type FaultOption = { [K in FaultType]: ReturnType<typeof faultOption<K>> }[FaultType];

const faultStep = z
  .discriminatedUnion("fault", FAULT_TYPES.map(faultOption) as unknown as [FaultOption, ...FaultOption[]])
  .transform((v) => ({ kind: "fault" as const, ...v }));

function actionOption<K extends ActionType>(type: K) {
  const spec = ACTIONS[type];
  return z
    .strictObject({
      action: z.literal(type).describe(`Action type. ${spec.description}`),
      ...spec.params,
      ...stepCommon,
    })
    .describe(`Action ${type}: ${spec.description}`);
}
type ActionOption = { [K in ActionType]: ReturnType<typeof actionOption<K>> }[ActionType];

const actionStep = z
  .discriminatedUnion("action", ACTION_TYPES.map(actionOption) as unknown as [ActionOption, ...ActionOption[]])
  .transform((v) => ({ kind: "action" as const, ...v }));

function conditionOption<K extends ConditionType>(type: K) {
  const spec = CONDITIONS[type];
  return z
    .strictObject({ [type]: spec.schema.describe(spec.description) } as Record<K, (typeof CONDITIONS)[K]["schema"]>)
    .describe(`${type}: ${spec.description}`)
    .transform((v) => ({ type, ...(v as Record<K, object>)[type] }));
}

/** One condition: a mapping with exactly one key, the condition type. */
export const conditionSchema = keyedUnion(
  CONDITION_TYPES.map(conditionOption) as unknown as [z.ZodType, ...z.ZodType[]],
  CONDITION_TYPES,
  "condition",
  true,
  `A condition: a mapping with exactly one key (${CONDITION_TYPES.join(", ")}).`,
) as unknown as z.ZodType<Condition, unknown>;

const expectStep = z
  .strictObject({
    expect: z
      .union([conditionSchema, z.array(conditionSchema).min(1)])
      .transform((v): Condition[] => (Array.isArray(v) ? v : [v]))
      .describe("A condition, or a list of conditions that must all hold."),
    within: duration("Wait up to this long for the conditions to hold (optional).").optional(),
    for: duration("The conditions must hold during this whole period (optional). Without within/for they are checked once, at once.").optional(),
    ...stepCommon,
  })
  .superRefine((v, ctx) => {
    if (v.within !== undefined && v.for !== undefined) {
      ctx.addIssue({ code: "custom", path: ["for"], input: v.for, message: "use either within: (becomes true in time) or for: (holds the whole time), not both" });
    }
    if (v.for === undefined && v.expect.some((c) => c.type === "no_leader_change")) {
      ctx.addIssue({ code: "custom", path: ["expect"], input: v.expect, message: "no_leader_change needs for: <duration> (the period it must hold)" });
    }
  })
  .describe("Expect step: conditions checked against the live cluster.")
  .transform((v) => ({ kind: "expect" as const, ...v }));

const healStep = z
  .strictObject({
    heal: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (iss) => `invalid heal target ${show(iss.input)}: use an earlier fault step's id or all` })
      .describe("Id of an earlier fault step to heal, or `all` for every active fault."),
    ...stepCommon,
  })
  .describe("Heal step: undo an earlier fault.")
  .transform((v) => ({ kind: "heal" as const, ...v }));

const updateStep = z
  .strictObject({
    update: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (iss) => `invalid update target ${show(iss.input)}: use an earlier fault step's id` })
      .describe(`Id of an earlier, still active fault step to change live (supported by ${LIVE_UPDATABLE.join(", ")}).`),
    ...LIVE_UPDATE_PARAMS,
    ...stepCommon,
  })
  .superRefine((v, ctx) => {
    const keys = Object.keys(LIVE_UPDATE_PARAMS);
    if (!Object.entries(v).some(([k, value]) => keys.includes(k) && value !== undefined)) ctx.addIssue({ code: "custom", path: [], input: v, message: `update needs a new value: ${keys.join(" or ")}` });
  })
  .describe("Update step: change an active fault live (e.g. a new clock offset) without healing it.")
  .transform((v) => ({ kind: "update" as const, ...v }));

const sleepStep = z
  .strictObject({
    sleep: duration("Do nothing for this long (the recorder and the workload keep running)."),
    ...stepCommon,
  })
  .describe("Sleep step.")
  .transform((v) => ({ kind: "sleep" as const, ...v }));

export const STEP_KEYS = ["fault", "action", "expect", "heal", "update", "sleep"] as const;

/** One step: selected by which of fault / action / expect / heal / sleep it has. */
export const stepSchema = keyedUnion(
  [faultStep, actionStep, expectStep, healStep, updateStep, sleepStep],
  STEP_KEYS,
  "step",
  false,
  "A step: exactly one of fault, action, expect, heal, sleep (plus that kind's keys, and id / note).",
);

/* ------------------------------------------------------------------------------------------ */
/* Scenario                                                                                   */

const etcdTopology = z
  .union([
    z.number().int().min(1).max(7).describe("Number of etcd members (e1..eM)."),
    z.strictObject({
      members: z.number().int().min(1).max(7).describe("Number of etcd members (e1..eM)."),
      pre_vote: z.boolean().default(false).describe("Start etcd with --pre-vote (default false)."),
    }),
  ])
  .transform((v) => (typeof v === "number" ? { members: v, pre_vote: false } : v))
  .prefault(3)
  .describe("etcd members: a count 1..7 (default 3), or { members, pre_vote }.");

const topology = z
  .strictObject({
    etcd: etcdTopology,
    patroni: z.number().int().min(1).max(5).default(3).describe("Number of Patroni/PostgreSQL nodes pg1..pgN, 1..5 (default 3)."),
    haproxy: z.boolean().default(false).describe("Run an HAProxy node `haproxy` routing to the primary via Patroni's REST checks (default false)."),
    dcs_proxy: z
      .boolean()
      .optional()
      .describe(
        "Route every Patroni node's etcd traffic through pgchaos's DCS fault proxy (needs the Docker engine on this machine). Default: on when a step uses a proxy fault (watch-stall, watch-cancel, dcs-latency, dcs-error), else off.",
      ),
    security: z
      .strictObject({
        tls: z
          .boolean()
          .default(false)
          .describe("A per-run CA and certificates: etcd's client URLs over https with client certificates (--client-cert-auth), Patroni's REST API over https (default false)."),
        auth: z
          .boolean()
          .default(false)
          .describe("etcd v3 authentication: users root (pgchaos) and patroni (read-write on the cluster's prefix only), per-run passwords (default false)."),
      })
      .optional()
      .describe(
        "TLS and authentication as production clusters run them (default: both off). Patroni's REST API always asks for basic auth on its unsafe endpoints. Not with the DCS proxy (dcs_proxy and its faults) and, with auth, not with etcd-rebuild.",
      ),
    image: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Run the lab on this image (a local image reference) instead of a pgchaos stack's; it is checked against docs/image-contract.md before any container starts. `run --image` takes precedence.",
      ),
  })
  .prefault({})
  .describe("Lab topology. Node names: pg1..pgN (Patroni + PostgreSQL), e1..eM (etcd), haproxy.");

const nodeOverride = z
  .strictObject({
    patroni_config: z
      .record(z.string(), z.unknown())
      .default(() => ({}))
      .describe("Any mapping, deep-merged over the generated patroni.yml of this node."),
    etcd_hosts: z
      .array(z.string().regex(/^e[1-9][0-9]*$/, { error: (iss) => `invalid etcd member ${show(iss.input)}: use etcd member names e1..eM` }))
      .min(1)
      .optional()
      .describe("Order of this node's etcd3.hosts, as etcd member names (e.g. [e3, e1, e2]). Default: e1..eM."),
  })
  .describe("Overrides for one Patroni node.");

const workload = z
  .strictObject({
    rate: z.number().min(0).max(1000).default(10).describe("Writes per second (default 10); 0 disables the workload."),
    via: z.enum(["direct", "haproxy"]).default("direct").describe("Send writes to the known primary directly (default) or through haproxy (requires topology.haproxy)."),
    timeout: duration("Timeout of one write (default 2s); more than 0.", { positive: "node-postgres reads 0 as no timeout at all" }).prefault("2s"),
  })
  .prefault({})
  .describe("The write workload that runs during the whole scenario.");

export const INVARIANT_NAMES = ["single-primary", "no-acked-write-lost", "write-availability"] as const;
export type InvariantName = (typeof INVARIANT_NAMES)[number];

export interface WriteAvailabilityInvariantOptions {
  /** Fail when the longest unavailability window exceeds this many ms. */
  maxUnavailableMs?: number;
  via?: "all" | "direct" | "haproxy";
}
/** An invariant after parsing: `checkers[name](options)` builds its checker. */
export type Invariant =
  | { name: "single-primary"; options: Record<string, never> }
  | { name: "no-acked-write-lost"; options: Record<string, never> }
  | { name: "write-availability"; options: WriteAvailabilityInvariantOptions };

const invariant = z
  .union([
    z
      .enum(INVARIANT_NAMES)
      .describe("single-primary: never two primaries; no-acked-write-lost: every acknowledged write survives; write-availability: measure (no budget)."),
    z.strictObject({
      "write-availability": z
        .strictObject({
          max_unavailable: duration("Longest acceptable window without an acknowledged write (optional; without it the invariant only measures).").optional(),
          via: z.enum(["all", "direct", "haproxy"]).optional().describe("Which writes count (default all)."),
        })
        .describe("Options of write-availability; {} to only measure."),
    }),
  ])
  .transform((v): Invariant => {
    if (typeof v === "string") return { name: v, options: {} };
    const o = v["write-availability"];
    const options: WriteAvailabilityInvariantOptions = {};
    if (o.max_unavailable !== undefined) options.maxUnavailableMs = o.max_unavailable;
    if (o.via !== undefined) options.via = o.via;
    return { name: "write-availability", options };
  })
  .describe("An invariant judged on the recorded history after the run.");

export const requiresSchema = z
  .strictObject({
    patroni: versionRange("Patroni", "this scenario applies to", "on other versions the run is reported as skipped"),
    postgres: versionRange("PostgreSQL", "this scenario applies to", "on other versions the run is reported as skipped"),
    etcd: versionRange("etcd", "this scenario applies to", "on other versions the run is reported as skipped"),
  })
  .describe("The versions this scenario applies to; a lab whose image runs other versions reports the scenario as skipped, with the reason.");

export const scenarioSchema = z
  .strictObject({
    name: z
      .string()
      .regex(SCENARIO_NAME_PATTERN, { error: (iss) => `invalid name ${show(iss.input)}: use lowercase letters, digits and '-', starting with a letter or digit` })
      .describe("Scenario name (required): lowercase letters, digits and '-'."),
    description: z.string().min(1).describe("What the scenario shows (required)."),
    incident: z.number().int().min(1).max(5).optional().describe("Number (1..5) of the documented incident this scenario reproduces."),
    tags: z.array(z.string().min(1)).default(() => []).describe("Free tags for selecting scenarios."),
    allow_unsafe_timings: z
      .boolean()
      .default(false)
      .describe("Accept Patroni timings that break loop_wait + 2*retry_timeout <= ttl (for scenarios that use bad timings on purpose)."),
    topology,
    patroni: patroniSettings,
    requires: requiresSchema.optional(),
    patroni_config: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "A team's own patroni.yml settings, deep-merged into every node's generated patroni.yml (before nodes.<name>.patroni_config). pgchaos keeps the keys it needs (names, addresses, credentials, data and binary paths, DCS hosts) and reports which it overrode. `run --patroni-config FILE` merges a file the same way, before this key.",
      ),
    nodes: z
      .record(z.string(), nodeOverride)
      .default(() => ({}))
      .describe("Per-node overrides, keyed by Patroni node name (pg1..pgN)."),
    workload,
    settle: duration("Time allowed after the last step (and after healing what is still active) for the cluster to converge before the final read (default 20s).").prefault("20s"),
    invariants: z
      .array(invariant)
      .prefault(["single-primary", "no-acked-write-lost"])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((inv, i) => {
          if (seen.has(inv.name)) ctx.addIssue({ code: "custom", path: [i], input: inv.name, message: `invariant '${inv.name}' is listed twice` });
          seen.add(inv.name);
        });
      })
      .describe("Invariants judged after the run (default: [single-primary, no-acked-write-lost])."),
    steps: z.array(stepSchema).min(1).describe("The steps, run in order (at least one)."),
    known_issues: z
      .array(knownIssueSchema)
      .optional()
      .describe("Failures of this scenario known on given versions (upstream issues), reported as `known` instead of `fail` when their evidence is found."),
  })
  .describe("A pgchaos scenario (format v1).");

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */

/** A parsed, defaulted scenario. */
export type Scenario = z.output<typeof scenarioSchema>;
/** What a YAML author writes (before defaults and normalisation). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Topology = Scenario["topology"];
export type PatroniSettings = Scenario["patroni"];
export type NodeOverride = Scenario["nodes"][string];
export type Workload = Scenario["workload"];

export type Step = z.output<typeof stepSchema>;
export type StepKind = Step["kind"];
export type FaultStep = Extract<Step, { kind: "fault" }>;
export type ActionStep = Extract<Step, { kind: "action" }>;
export type ExpectStep = Extract<Step, { kind: "expect" }>;
export type HealStep = Extract<Step, { kind: "heal" }>;
export type SleepStep = Extract<Step, { kind: "sleep" }>;
/** The fault step of one type, e.g. `FaultStepOf<"clock-skew">`. */
export type FaultStepOf<T extends FaultType> = Extract<FaultStep, { fault: T }>;
export type ActionStepOf<T extends ActionType> = Extract<ActionStep, { action: T }>;
export type ConditionOf<T extends ConditionType> = Extract<Condition, { type: T }>;

/**
 * A fault step's own parameters (without `fault`, `kind`, `id`, `note`, `when`, `duration`): what
 * the kind's `build` and `semanticCheck` take. Here rather than in the fault registry, which the
 * schema imports: the registry needs nothing of the scenario's step types.
 */
export function faultParams(step: FaultStep) {
  const { kind: _kind, id: _id, note: _note, when: _when, on_error: _onError, duration: _duration, fault: _fault, ...params } = step;
  return params;
}
