/**
 * `pgchaos explore`'s schedules: ordinary v1 scenarios drawn from a seed. A schedule takes the
 * lab, workload and invariants of a base scenario, draws Patroni's settings, then 1..K fault and
 * action steps (targets by role and by name, durations, overlaps, waits) from the generators
 * each kind declares beside its schema (src/scenario/explore-kit.ts), and always ends the same
 * way: every fault healed (`heal: all`), then a settle expectation (a leader, every replica
 * streaming) within a bound derived from its timings. So it is judged like any scenario: by its
 * invariants, the run checks and that last expectation.
 *
 * Determinism: schedule `i` of seed `S` is fast-check's first sample of the schedule arbitrary
 * with the seed derived from (S, i); with the same options and the same pgchaos (and fast-check)
 * version it is the same YAML, byte for byte.
 */
import * as fc from "fast-check";
import YAML from "yaml";
import { ACTIONS, ACTION_TYPES, type ActionType } from "../actions/registry.js";
import { FAULTS, FAULT_TYPES, DCS_PROXY_FAULTS, type FaultType } from "../faults/registry.js";
import { isExplored, type ActionGenerator, type FaultGenerator, type GenFacts, type GenKit } from "../scenario/explore-kit.js";
import { parseScenario, type LoadedScenario } from "../scenario/load.js";
import { parseDuration } from "../scenario/units.js";
import { topologyNodes } from "../scenario/semantic.js";
import { defaultWithinMs } from "../runner/plan.js";
import { stackByName } from "../stacks/stacks.js";
import { stackIssues } from "../stacks/scenario-fit.js";
import { derivedRandom } from "../util/random.js";
import { UserFacingError } from "../util/errors.js";
import { formatMs, makeGenKit, PREV_STEP } from "./kit.js";

/** Ids of the steps every schedule ends with. */
export const HEAL_ALL_ID = "heal-all";
export const SETTLED_ID = "settled";
/** Ids of the steps a schedule adds before its heal to undo an action (`finally-resume`). */
export const FINALLY_PREFIX = "finally-";
/** The tag every schedule carries. */
export const EXPLORE_TAG = "explore";
/** Default K: at most this many fault and action steps. */
export const DEFAULT_MAX_STEPS = 4;

export interface ExploreBase {
  /** The base scenario's name. */
  name: string;
  /** The base as written (plain data): its lab, workload, invariants and Patroni settings are kept; its steps are not. */
  doc: Record<string, unknown>;
  facts: GenFacts;
  /** The base fixes Patroni's timings (allow_unsafe_timings, or timings in a node's patroni_config): they are not drawn. */
  fixedTimings: boolean;
  /** The base's own timings (parsed). */
  timings: { ttl: number; loop_wait: number; retry_timeout: number };
  /** topology.dcs_proxy is false or topology.security is on: proxy faults cannot run. */
  noProxy: boolean;
  /** The exploration's stacks this base runs on (empty: the default stack, none named). */
  stacks: string[];
}

/** A base scenario when explore is given no paths: the default lab (3 etcd members, 3 Patroni nodes, the default workload). */
export const DEFAULT_BASE_YAML = `name: explore-default
description: The default lab of pgchaos explore.
invariants: [single-primary, no-acked-write-lost]
steps: [{ sleep: 1s }]
`;

/** A base from a scenario file's text (validated with the loader); `stacks`: those of the exploration. */
export function exploreBase(text: string, file: string, stacks: readonly string[] = []): ExploreBase {
  const loaded = parseScenario(text, file);
  const doc = YAML.parse(text) as Record<string, unknown>;
  const fits = stacks.filter((s) => stackIssues(loaded, stackByName(s)).length === 0);
  if (stacks.length && !fits.length) throw new UserFacingError(`${file}: ${loaded.name} runs on none of the stacks ${stacks.join(", ")} (${stackIssues(loaded, stackByName(stacks[0])).map((i) => i.message).join("; ")})`);
  const security = loaded.topology.security;
  return {
    name: loaded.name,
    doc,
    facts: { nodes: topologyNodes(loaded), ...(security ? { security } : {}) },
    fixedTimings: loaded.allow_unsafe_timings || nodeTimings(loaded),
    timings: { ttl: loaded.patroni.ttl, loop_wait: loaded.patroni.loop_wait, retry_timeout: loaded.patroni.retry_timeout },
    noProxy: loaded.topology.dcs_proxy === false || !!(security && (security.tls || security.auth)),
    stacks: fits,
  };
}

function nodeTimings(s: LoadedScenario): boolean {
  const keys = ["ttl", "loop_wait", "retry_timeout"];
  return Object.values(s.nodes).some((o) => {
    const c = o.patroni_config as Record<string, unknown>;
    const dcs = ((c.bootstrap as Record<string, unknown> | undefined)?.dcs ?? {}) as Record<string, unknown>;
    return keys.some((k) => k in c || k in dcs);
  });
}

export interface ExploreOptions {
  /** The exploration's seed. */
  seed: number;
  bases: readonly ExploreBase[];
  /** Fault kinds to draw from (default: every kind that can be explored). */
  faults?: readonly FaultType[];
  /** Action kinds to draw from (default: every kind that can be explored). */
  actions?: readonly ActionType[];
  /** K: at most this many fault and action steps (default 4). */
  maxSteps?: number;
}

/** The kinds explore can draw (their generators), and those that opted out with why. */
export function explorableKinds(): { faults: FaultType[]; actions: ActionType[]; notExplored: { kind: string; why: string }[] } {
  const notExplored: { kind: string; why: string }[] = [];
  const faults = FAULT_TYPES.filter((t) => {
    const e = FAULTS[t].explore;
    if (!isExplored(e)) notExplored.push({ kind: t, why: e.notExplored });
    return isExplored(e);
  });
  const actions = ACTION_TYPES.filter((t) => {
    const e = ACTIONS[t].explore;
    if (!isExplored(e)) notExplored.push({ kind: `action ${t}`, why: e.notExplored });
    return isExplored(e);
  });
  return { faults, actions, notExplored };
}

type AnyFaultGen = FaultGenerator<Record<string, unknown>>;
type AnyActionGen = ActionGenerator<Record<string, unknown>>;
const faultGen = (t: FaultType) => FAULTS[t].explore as AnyFaultGen;
const actionGen = (t: ActionType) => ACTIONS[t].explore as AnyActionGen;

/** The kinds a base can run, among those chosen. */
function kindsFor(base: ExploreBase, o: ExploreOptions): { faults: FaultType[]; actions: ActionType[] } {
  const all = explorableKinds();
  const faults = (o.faults ?? all.faults).filter((t) => {
    if (!all.faults.includes(t)) return false;
    if (base.noProxy && DCS_PROXY_FAULTS.includes(t)) return false;
    return faultGen(t).applies?.(base.facts) ?? true;
  });
  const actions = (o.actions ?? all.actions).filter((t) => all.actions.includes(t) && (actionGen(t).applies?.(base.facts) ?? true));
  return { faults, actions };
}

/** Checks the options before anything is drawn: every base can draw at least one kind. */
export function checkExploreOptions(o: ExploreOptions): void {
  if (!o.bases.length) throw new UserFacingError("explore needs at least one base scenario");
  const k = o.maxSteps ?? DEFAULT_MAX_STEPS;
  if (!Number.isInteger(k) || k < 1 || k > 50) throw new UserFacingError(`--max-steps must be a whole number from 1 to 50, not '${k}'`);
  for (const b of o.bases) {
    const kinds = kindsFor(b, o);
    if (!kinds.faults.length && !kinds.actions.length) throw new UserFacingError(`no chosen fault or action kind can run on the lab of ${b.name}`);
  }
}

/* ------------------------------------------------------------------------------------------ */

/**
 * How a lasting fault ends: its own `duration`, a later `heal:` step after a wait, or the final
 * `heal: all` once it has lasted `holdMs`. A fault's `duration` does not hold the steps after it
 * back, so the schedule waits (a sleep before the final heal) until every `duration` and
 * `holdMs` has run out: else the last fault drawn would be healed the moment it started.
 */
type HealDraft = { by: "duration"; ms: number } | { by: "step"; after: number; waitMs: number } | { by: "end"; holdMs: number } | { by: "none" };

interface EventDraft {
  kind: "fault" | "action";
  type: string;
  params: Record<string, unknown>;
  /** A sleep before the step (0: none). */
  waitMs: number;
  heal: HealDraft;
}

interface ScheduleDraft {
  base: number;
  stack?: string;
  patroni: Record<string, unknown>;
  events: EventDraft[];
}

/** Patroni's timing rule, loop_wait + 2*retry_timeout <= ttl, with retry_timeout >= 3 and loop_wait >= 1 (what Patroni 4 raises lower values to). */
function timingsArb(): fc.Arbitrary<{ ttl: number; loop_wait: number; retry_timeout: number }> {
  return fc.integer({ min: 1, max: 5 }).chain((loop_wait) =>
    fc.integer({ min: 3, max: 10 }).chain((retry_timeout) => {
      const least = Math.max(10, loop_wait + 2 * retry_timeout);
      return fc.integer({ min: least, max: least + 20 }).map((ttl) => ({ ttl, loop_wait, retry_timeout }));
    }),
  );
}

const LAG_SIZES = ["0", "64kB", "1MB", "16MB", "1GB"];

function patroniArb(base: ExploreBase): fc.Arbitrary<Record<string, unknown>> {
  const timings = base.fixedTimings ? fc.constant({}) : fc.oneof(fc.constant({}), timingsArb());
  const others = fc.record(
    { failsafe_mode: fc.boolean(), synchronous_mode: fc.boolean(), maximum_lag_on_failover: fc.constantFrom(...LAG_SIZES) },
    { requiredKeys: [] },
  );
  return fc.tuple(timings, others).map(([t, o]) => ({ ...t, ...o }));
}

/** The timings a drawn schedule runs with, as Patroni 4 raises them (ttl >= 20): budgets derived from them hold on every stack. */
export function effectiveTimings(base: ExploreBase, patroni: Record<string, unknown>): GenKit["timings"] {
  const pick = (k: "ttl" | "loop_wait" | "retry_timeout") => (typeof patroni[k] === "number" ? (patroni[k] as number) : base.timings[k]);
  return { ttl: Math.max(20, pick("ttl")), loop_wait: Math.max(1, pick("loop_wait")), retry_timeout: Math.max(3, pick("retry_timeout")) };
}

function eventArb(kit: GenKit, kinds: { faults: FaultType[]; actions: ActionType[] }, maxSteps: number): fc.Arbitrary<EventDraft> {
  const wait = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }).map((s) => s * 1000) });
  const heal: fc.Arbitrary<HealDraft> = fc.oneof(
    fc.integer({ min: 2, max: 60 }).map((s): HealDraft => ({ by: "duration", ms: s * 1000 })),
    fc.record({ after: fc.integer({ min: 0, max: maxSteps }), waitMs: fc.integer({ min: 1, max: 30 }).map((s) => s * 1000) }).map((h): HealDraft => ({ by: "step", ...h })),
    fc.integer({ min: 2, max: 60 }).map((s): HealDraft => ({ by: "end", holdMs: s * 1000 })),
  );
  // Integer weights: a generator's weight 0.5 becomes 1 against the default's 2.
  const weighed = (w: number | undefined) => Math.max(1, Math.round((w ?? 1) * 2));
  const options = [
    ...kinds.faults.map((t) => {
      const g = faultGen(t);
      return {
        weight: weighed(g.weight),
        arbitrary: fc.record({ params: g.params(kit), waitMs: wait, heal: g.lasting === false ? fc.constant<HealDraft>({ by: "none" }) : heal }).map((d): EventDraft => ({ kind: "fault", type: t, ...d })),
      };
    }),
    ...kinds.actions.map((t) => {
      const g = actionGen(t);
      return {
        weight: weighed(g.weight),
        arbitrary: fc.record({ params: g.params(kit), waitMs: wait }).map((d): EventDraft => ({ kind: "action", type: t, ...d, heal: { by: "none" } })),
      };
    }),
  ];
  return fc.oneof(...options);
}

function scheduleArb(o: ExploreOptions): fc.Arbitrary<ScheduleDraft> {
  const maxSteps = o.maxSteps ?? DEFAULT_MAX_STEPS;
  return fc.integer({ min: 0, max: o.bases.length - 1 }).chain((bi) => {
    const base = o.bases[bi];
    const stack = base.stacks.length ? fc.constantFrom(...base.stacks) : fc.constant(undefined);
    return fc.tuple(stack, patroniArb(base)).chain(([st, patroni]) => {
      const kit = makeGenKit(fc, base.facts, effectiveTimings(base, patroni));
      return fc.array(eventArb(kit, kindsFor(base, o), maxSteps), { minLength: 1, maxLength: maxSteps }).map((events): ScheduleDraft => ({
        base: bi,
        ...(st !== undefined ? { stack: st } : {}),
        patroni,
        events,
      }));
    });
  });
}

/* ------------------------------------------------------------------------------------------ */

export interface Schedule {
  /** Position in the exploration (0-based). */
  index: number;
  /** The exploration's seed, and the seed of this schedule (derived from it and the index; also the run's harness seed). */
  seed: number;
  scheduleSeed: number;
  /** Scenario name: explore-<seed>-<index>. */
  name: string;
  base: string;
  stack?: string;
  /** The scenario as YAML: what is written, validated and run. */
  yaml: string;
  /** The same as plain data (as YAML.parse gives it back). */
  doc: Record<string, unknown>;
}

/** The seed of schedule `index` of an exploration seeded `seed` (32 bits). */
export function scheduleSeed(seed: number, index: number): number {
  return Math.floor(derivedRandom(seed, `explore-schedule-${index}`)() * 2 ** 32) >>> 0;
}

/** Schedule `index` of the exploration: deterministic in (options, index). Throws if a generator produced a scenario the loader rejects (a bug). */
export function generateSchedule(o: ExploreOptions, index: number): Schedule {
  const seed = scheduleSeed(o.seed, index);
  // Unbiased: fast-check's bias toward small values suits a test's first runs, not a long exploration.
  const [draft] = fc.sample(fc.noBias(scheduleArb(o)), { seed, numRuns: 1 });
  const base = o.bases[draft.base];
  const name = `explore-${o.seed}-${index}`;
  const doc = assemble(draft, base, { name, seed: o.seed, index });
  const yaml = toYaml(doc, `pgchaos explore: schedule ${index} of seed ${o.seed} (schedule seed ${seed}) on base ${base.name}${draft.stack ? `, stack ${draft.stack}` : ""}`);
  try {
    parseScenario(yaml, `${name}.yaml`);
  } catch (e) {
    throw new Error(`explore drew a schedule the loader rejects (a generator's bug):\n${(e as Error).message}\n${yaml}`, { cause: e });
  }
  return { index, seed: o.seed, scheduleSeed: seed, name, base: base.name, ...(draft.stack ? { stack: draft.stack } : {}), yaml, doc: YAML.parse(yaml) as Record<string, unknown> };
}

/** Base keys a schedule does not take over: they describe the base's own steps. */
const NOT_INHERITED = new Set(["name", "description", "tags", "incident", "steps", "known_issues", "settle", "patroni"]);

/** Rewrites `leader@<prev>` / `replica@<prev>` to the step before; copies fast-check's null-prototype records into plain objects. */
function withPrev(v: unknown, prev: string): unknown {
  if (typeof v === "string") return v.endsWith(`@${PREV_STEP}`) ? `${v.slice(0, -PREV_STEP.length)}${prev}` : v;
  if (Array.isArray(v)) return v.map((x) => withPrev(x, prev));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withPrev(x, prev)]));
  return v;
}

function assemble(draft: ScheduleDraft, base: ExploreBase, meta: { name: string; seed: number; index: number }): Record<string, unknown> {
  const steps: Record<string, unknown>[] = [];
  const healsAfter = new Map<number, { id: string; waitMs: number }[]>();
  const finals: Record<string, unknown>[] = [];
  const last = draft.events.length - 1;
  let prev = "start";
  let recoveryMs = 0;
  /** Faults that must last a while before the final heal: the index of their step, and how long. */
  const lasting: { at: number; ms: number }[] = [];
  draft.events.forEach((ev, i) => {
    const id = `${ev.kind === "fault" ? "f" : "a"}${i + 1}-${ev.type}`;
    if (ev.waitMs > 0) steps.push({ sleep: formatMs(ev.waitMs) });
    // on_error: continue on whatever is drawn: overlapping faults can make one another impossible
    // (an exec into a container another fault paused, an etcd member another fault stopped), and
    // a schedule goes on past such a step as a nemesis would, instead of ending as an error.
    const step: Record<string, unknown> = { id, [ev.kind]: ev.type, ...(withPrev(ev.params, prev) as Record<string, unknown>), on_error: "continue" };
    if (ev.heal.by === "duration") step.duration = formatMs(ev.heal.ms);
    steps.push(step);
    if (ev.heal.by === "duration") lasting.push({ at: steps.length - 1, ms: ev.heal.ms });
    if (ev.heal.by === "end") lasting.push({ at: steps.length - 1, ms: ev.heal.holdMs });
    if (ev.heal.by === "step") {
      const at = Math.min(i + ev.heal.after, last);
      healsAfter.set(at, [...(healsAfter.get(at) ?? []), { id, waitMs: ev.heal.waitMs }]);
    }
    for (const h of healsAfter.get(i) ?? []) {
      steps.push({ sleep: formatMs(h.waitMs) });
      steps.push({ heal: h.id, on_error: "continue" });
    }
    const gen = ev.kind === "fault" ? faultGen(ev.type as FaultType) : actionGen(ev.type as ActionType);
    recoveryMs = Math.max(recoveryMs, gen.recoveryMs ?? 0);
    if (ev.kind === "action")
      for (const f of (gen as AnyActionGen).finally ?? []) {
        const step = { id: `${FINALLY_PREFIX}${String(f.action ?? f.fault ?? finals.length + 1)}`, ...f, on_error: "continue" };
        if (!finals.some((x) => x.id === step.id)) finals.push(step);
      }
    prev = id;
  });
  const hold = holdBeforeHeal(steps, lasting);
  if (hold > 0) steps.push({ sleep: formatMs(hold) });
  steps.push(...finals);
  steps.push({ id: HEAL_ALL_ID, heal: "all" });
  const patroni = { ...((base.doc.patroni as Record<string, unknown> | undefined) ?? {}), ...draft.patroni };
  steps.push(settleStep(effectiveTimings(base, patroni), recoveryMs));

  const kinds = draft.events.map((e) => (e.kind === "fault" ? e.type : `${e.type} (action)`));
  const doc: Record<string, unknown> = {
    name: meta.name,
    description: `Drawn by pgchaos explore (seed ${meta.seed}, schedule ${meta.index}) on the lab of ${base.name}: ${kinds.join(", ")}; every fault healed, then the cluster must settle.`,
    tags: [EXPLORE_TAG],
  };
  for (const [k, v] of Object.entries(base.doc)) if (!NOT_INHERITED.has(k)) doc[k] = v;
  if (Object.keys(patroni).length) doc.patroni = patroni;
  doc.settle = "30s";
  doc.steps = steps;
  return doc;
}

/** How long to sleep after the last drawn step so that every fault in `lasting` has lasted its time: the sleeps after a fault count (other steps take time too, uncounted). */
export function holdBeforeHeal(steps: readonly Record<string, unknown>[], lasting: readonly { at: number; ms: number }[]): number {
  const sleptAfter = (at: number) => steps.slice(at + 1).reduce((sum, s) => sum + (typeof s.sleep === "string" ? parseDuration(s.sleep) : 0), 0);
  return Math.max(0, ...lasting.map((l) => l.ms - sleptAfter(l.at)));
}

/**
 * The final expectation: a leader and every replica streaming, within twice the default budget
 * of its timings (a lock expires, every node runs a loop, one DCS retry), 30 s for PostgreSQL to
 * catch up, and the longest recovery a kind of the schedule asks for; rounded up to 10 s.
 */
export function settleStep(timings: GenKit["timings"], recoveryMs: number): Record<string, unknown> {
  const ms = 2 * defaultWithinMs(timings) + 30_000 + recoveryMs;
  return { id: SETTLED_ID, expect: [{ leader: "exists" }, { streaming: { node: "all" } }], within: formatMs(Math.ceil(ms / 10_000) * 10_000) };
}

/** A schedule as YAML: steps one per line (flow style), everything else in block style. */
export function toYaml(doc: Record<string, unknown>, comment?: string): string {
  const d = new YAML.Document(doc);
  const steps = d.get("steps", true);
  if (YAML.isSeq(steps)) for (const item of steps.items) if (YAML.isMap(item)) item.flow = true;
  const tags = d.get("tags", true);
  if (YAML.isSeq(tags)) tags.flow = true;
  if (comment) d.commentBefore = ` ${comment}`;
  return d.toString({ lineWidth: 0, flowCollectionPadding: true });
}
