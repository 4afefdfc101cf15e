/**
 * Shrinking a failing schedule to a minimal one that still fails the same way: fewer steps,
 * fewer targets, default Patroni settings, fewer parameters, shorter durations.
 *
 * Why not fast-check's shrinker, though the schedules are drawn with fast-check:
 * - the oracle is a lab run (minutes) and flaky: a candidate is kept when 1 of k reruns fails.
 *   fast-check's shrinker takes a candidate on one failing run and walks its shrink tree one
 *   small move at a time (an integer halves towards its minimum in many steps, a record shrinks
 *   one key at a time), which here would cost hours of labs per finding;
 * - it shrinks only values it generated, through the context of that generation (our
 *   arbitraries are mapped and chained). A finding resumed after Ctrl-C, a minimal.yaml shrunk
 *   again, or a scenario someone wrote by hand has no such context; this shrinker works on any
 *   v1 scenario as written;
 * - moves that matter here are structural: a fault and the heal that names it go together, a
 *   removed step's `leader@<id>` references move to the step before it, Patroni's three timings
 *   go back to their defaults together. Delta debugging over the scenario's structure does that
 *   with a bounded number of candidates, each checked by the loader before any lab runs.
 * So: greedy passes (Zeller's ddmin over the steps, then targets, Patroni settings, optional
 * parameters, durations), each keeping the first candidate that reproduces, repeated until a
 * whole round keeps nothing (a local minimum) or the run or time budget is spent.
 */
import { parseScenario } from "../scenario/load.js";
import { parseDuration } from "../scenario/units.js";
import { FAULTS, isFaultType } from "../faults/registry.js";
import { DURATION_SCHEMAS } from "../faults/shared/params.js";
import { formatMs } from "./kit.js";
import { HEAL_ALL_ID, toYaml } from "./schedule.js";

type Doc = Record<string, unknown>;
type Step = Record<string, unknown>;

export interface Candidate {
  doc: Doc;
  yaml: string;
  /** What this candidate changed, for people ("remove f2-partition"). */
  what: string;
}

export type ShrinkPass = "steps" | "targets" | "patroni" | "params" | "durations";

/** One accepted shrink step. */
export interface ShrinkStep {
  pass: ShrinkPass;
  what: string;
  /** Fault and action steps left after it. */
  events: number;
  /** Lab runs spent so far (over the whole shrink, accepted or not). */
  runs: number;
}

export type StopReason = "local minimum" | "run budget" | "time budget" | "interrupted";

export interface ShrinkResult {
  minimal: Doc;
  yaml: string;
  steps: ShrinkStep[];
  /** Lab runs spent. */
  runs: number;
  /** Candidates tried (each run up to k times), and those the loader rejected (never run). */
  tried: number;
  invalid: number;
  stopped: StopReason;
}

export interface ShrinkOptions {
  /** One run of a candidate: true when it failed the way the finding did. */
  runner: (candidate: Candidate) => Promise<boolean>;
  /** Runs per candidate: kept when one of k fails (default 3). */
  k?: number;
  maxRuns?: number;
  maxMs?: number;
  now?: () => number;
  signal?: AbortSignal;
  /** Called after each accepted step with the schedule so far (to keep it: a later explore resumes from there). */
  onStep?: (step: ShrinkStep, current: Candidate) => void | Promise<void>;
  /** Whether a candidate is a valid scenario (default: the loader accepts it); an invalid one is not run. */
  valid?: (yaml: string) => boolean;
  /** A comment for the first line of each candidate's YAML. */
  comment?: string;
}

class Stop extends Error {
  constructor(readonly reason: StopReason) {
    super(reason);
  }
}

const loaderAccepts = (yaml: string) => {
  try {
    parseScenario(yaml, "candidate.yaml");
    return true;
  } catch {
    return false;
  }
};

const clone = <T>(v: T): T => structuredClone(v);
const stepsOf = (doc: Doc): Step[] => (Array.isArray(doc.steps) ? (doc.steps as Step[]) : []);
const isEvent = (s: Step) => "fault" in s || "action" in s;
const countEvents = (doc: Doc) => stepsOf(doc).filter(isEvent).length;

export async function shrink(original: Doc, o: ShrinkOptions): Promise<ShrinkResult> {
  const k = o.k ?? 3;
  const now = o.now ?? Date.now;
  const t0 = now();
  const valid = o.valid ?? loaderAccepts;
  const seen = new Map<string, boolean>();
  let runs = 0;
  let tried = 0;
  let invalid = 0;
  const steps: ShrinkStep[] = [];
  let current = clone(original);

  const budget = () => {
    if (o.signal?.aborted) throw new Stop("interrupted");
    if (o.maxRuns !== undefined && runs >= o.maxRuns) throw new Stop("run budget");
    if (o.maxMs !== undefined && now() - t0 >= o.maxMs) throw new Stop("time budget");
  };
  /** Runs a candidate up to k times; true at its first failure. */
  const reproduces = async (doc: Doc, what: string): Promise<boolean> => {
    const yaml = toYaml(doc, o.comment);
    const known = seen.get(yaml);
    if (known !== undefined) return known;
    if (!valid(yaml)) {
      invalid++;
      seen.set(yaml, false);
      return false;
    }
    tried++;
    for (let i = 0; i < k; i++) {
      budget();
      runs++;
      if (await o.runner({ doc, yaml, what })) {
        seen.set(yaml, true);
        return true;
      }
    }
    seen.set(yaml, false);
    return false;
  };
  const accept = async (pass: ShrinkPass, doc: Doc, what: string) => {
    current = doc;
    const step = { pass, what, events: countEvents(doc), runs };
    steps.push(step);
    await o.onStep?.(step, { doc, yaml: toYaml(doc, o.comment), what });
  };
  /** Keeps the first reproducing candidate of `pass` until none reproduces; true when one was kept. */
  const greedy = async (pass: ShrinkPass, candidates: (doc: Doc) => Iterable<{ doc: Doc; what: string }>): Promise<boolean> => {
    let changed = false;
    for (;;) {
      let kept = false;
      for (const c of candidates(current)) {
        if (await reproduces(c.doc, c.what)) {
          await accept(pass, c.doc, c.what);
          kept = changed = true;
          break;
        }
      }
      if (!kept) return changed;
    }
  };

  let stopped: StopReason = "local minimum";
  try {
    budget();
    for (;;) {
      let changed = await ddminSteps();
      changed = (await greedy("targets", fewerTargets)) || changed;
      changed = (await greedy("patroni", defaultPatroni)) || changed;
      changed = (await greedy("params", fewerParams)) || changed;
      changed = (await greedy("durations", shorterDurations)) || changed;
      if (!changed) break;
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    stopped = e.reason;
  }
  return { minimal: current, yaml: toYaml(current, o.comment), steps, runs, tried, invalid, stopped };

  /**
   * ddmin (Zeller and Hildebrandt 2002) over the removable units of the schedule: remove a chunk,
   * keep the rest if it reproduces, go finer when no chunk can go. Ends 1-minimal: no single
   * unit can be removed.
   */
  async function ddminSteps(): Promise<boolean> {
    let changed = false;
    let n = 2;
    for (;;) {
      const units = unitsOf(current);
      if (!units.length) return changed;
      n = Math.min(n, units.length);
      const chunks = split(units, n);
      let kept = false;
      for (const chunk of chunks) {
        const removed = new Set(chunk.flatMap((u) => u.indices));
        const doc = withoutSteps(current, removed);
        const what = `remove ${chunk.map((u) => u.label).join(", ")}`;
        if (await reproduces(doc, what)) {
          await accept("steps", doc, what);
          kept = changed = true;
          n = Math.max(n - 1, 2);
          break;
        }
      }
      if (!kept) {
        if (n >= units.length) return changed;
        n = Math.min(units.length, 2 * n);
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Units and moves                                                                            */

interface Unit {
  /** Indices into steps: the step, and for a fault the heal and update steps naming it. */
  indices: number[];
  label: string;
}

/** Steps that stay: expectations (what is judged) and the schedule's final `heal: all`. */
const isProtected = (s: Step) => "expect" in s || (s.heal === "all" && s.id === HEAL_ALL_ID);

export function unitsOf(doc: Doc): Unit[] {
  const steps = stepsOf(doc);
  const units: Unit[] = [];
  const byFault = new Map<string, Unit>();
  steps.forEach((s, i) => {
    if (isProtected(s)) return;
    const ref = typeof s.heal === "string" ? s.heal : typeof s.update === "string" ? s.update : undefined;
    const owner = ref !== undefined ? byFault.get(ref) : undefined;
    if (owner) {
      owner.indices.push(i);
      return;
    }
    const label = typeof s.id === "string" ? s.id : "sleep" in s ? `sleep ${String(s.sleep)} (step ${i + 1})` : `step ${i + 1}`;
    const unit = { indices: [i], label };
    units.push(unit);
    if ("fault" in s && typeof s.id === "string") byFault.set(s.id, unit);
  });
  return units;
}

function split<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  const size = xs.length / n;
  for (let i = 0; i < n; i++) out.push(xs.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out.filter((c) => c.length);
}

/**
 * The schedule without the steps at `removed`. A `leader@<id>`, `replica@<id>` or `since: <id>`
 * that named a removed step names the nearest earlier step that stays (or `start`): the moment
 * closest to the one it meant.
 */
export function withoutSteps(doc: Doc, removed: Set<number>): Doc {
  const steps = stepsOf(doc);
  const gone = new Map<string, string>();
  let lastKept = "start";
  steps.forEach((s, i) => {
    if (removed.has(i)) {
      if (typeof s.id === "string") gone.set(s.id, lastKept);
    } else if (typeof s.id === "string") lastKept = s.id;
  });
  const rewrite = (v: unknown, key?: string): unknown => {
    if (typeof v === "string") {
      const m = /^(leader|replica|sync)@(.+)$/.exec(v);
      if (m && gone.has(m[2])) return `${m[1]}@${gone.get(m[2])}`;
      if (key === "since" && gone.has(v)) return gone.get(v);
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => rewrite(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x, k)]));
    return v;
  };
  const kept = steps.filter((_, i) => !removed.has(i)).map((s) => rewrite(s) as Step);
  return { ...clone(doc), steps: kept };
}

/** Lists of nodes a step acts on or from: one element fewer each. */
const NODE_LISTS = ["targets", "from", "etcd"];

function* fewerTargets(doc: Doc): Iterable<{ doc: Doc; what: string }> {
  const steps = stepsOf(doc);
  for (let i = 0; i < steps.length; i++) {
    for (const key of NODE_LISTS) {
      const list = steps[i][key];
      if (!Array.isArray(list) || list.length < 2) continue;
      for (let j = 0; j < list.length; j++) {
        const next = clone(doc);
        const st = stepsOf(next)[i];
        st[key] = list.filter((_, x) => x !== j);
        yield { doc: next, what: `${labelOf(steps[i], i)}: ${key} without ${String(list[j])}` };
      }
    }
  }
}

const TIMINGS = ["ttl", "loop_wait", "retry_timeout"];
const PATRONI_DRAWN = ["failsafe_mode", "synchronous_mode", "maximum_lag_on_failover"];

function* defaultPatroni(doc: Doc): Iterable<{ doc: Doc; what: string }> {
  const p = doc.patroni;
  if (!p || typeof p !== "object") return;
  const patroni = p as Record<string, unknown>;
  const drop = (keys: string[], what: string) => {
    const next = clone(doc);
    const np = next.patroni as Record<string, unknown>;
    for (const k of keys) delete np[k];
    if (!Object.keys(np).length) delete next.patroni;
    return { doc: next, what };
  };
  const present = [...TIMINGS, ...PATRONI_DRAWN].filter((k) => k in patroni);
  if (present.length > 1) yield drop(present, `default Patroni settings (${present.join(", ")})`);
  const timings = TIMINGS.filter((k) => k in patroni);
  if (timings.length) yield drop(timings, `default timings (${timings.map((k) => `${k} ${String(patroni[k])}`).join(", ")})`);
  for (const k of PATRONI_DRAWN) if (k in patroni) yield drop([k], `default ${k} (was ${String(patroni[k])})`);
}

/** Keys of a fault or action step that are not optional parameters to drop. */
const KEEP = new Set(["id", "note", "when", "on_error", "fault", "action", "targets", "duration", "expect_status"]);

function* fewerParams(doc: Doc): Iterable<{ doc: Doc; what: string }> {
  const steps = stepsOf(doc);
  for (let i = 0; i < steps.length; i++) {
    if (!isEvent(steps[i])) continue;
    for (const key of Object.keys(steps[i])) {
      if (KEEP.has(key)) continue;
      const next = clone(doc);
      delete stepsOf(next)[i][key];
      yield { doc: next, what: `${labelOf(steps[i], i)}: default ${key} (was ${JSON.stringify(steps[i][key])})` };
    }
  }
}

/** Whether `key` of a step holds a duration: `duration`, `sleep`, and a fault kind's duration parameters. */
function durationKey(step: Step, key: string): boolean {
  if (key === "duration" || key === "sleep") return true;
  if (typeof step.fault !== "string" || !isFaultType(step.fault)) return false;
  let schema = (FAULTS[step.fault].params as Record<string, unknown>)[key] as { unwrap?: () => unknown } | undefined;
  while (schema && !DURATION_SCHEMAS.has(schema as never) && typeof schema.unwrap === "function") schema = schema.unwrap() as typeof schema;
  return !!schema && DURATION_SCHEMAS.has(schema as never);
}

/** Quarter, then half: the larger jump first; at least 100 ms, in whole 100 ms. */
function* shorterDurations(doc: Doc): Iterable<{ doc: Doc; what: string }> {
  const steps = stepsOf(doc);
  for (let i = 0; i < steps.length; i++) {
    for (const [key, value] of Object.entries(steps[i])) {
      if ((typeof value !== "string" && typeof value !== "number") || !durationKey(steps[i], key)) continue;
      let ms: number;
      try {
        ms = parseDuration(value, { signed: true });
      } catch {
        continue;
      }
      const sign = Math.sign(ms);
      const size = Math.abs(ms);
      for (const part of [4, 2]) {
        const shorter = Math.round(size / part / 100) * 100;
        if (shorter < 100 || shorter >= size) continue;
        const next = clone(doc);
        const signed = typeof value === "string" && /^[+-]/.test(value);
        stepsOf(next)[i][key] = `${signed ? (sign < 0 ? "-" : "+") : ""}${formatMs(shorter)}`;
        yield { doc: next, what: `${labelOf(steps[i], i)}: ${key} ${String(value)} -> ${String(stepsOf(next)[i][key])}` };
      }
    }
  }
}

const labelOf = (s: Step, i: number) => (typeof s.id === "string" ? s.id : `step ${i + 1}`);
