import type { Verdict } from "../checker/checker.js";
import type { ActionEvent, FaultEvent, HistoryEvent, RunCpu, StepEvent, TeardownEvent, WriteOp } from "../history/events.js";
import { allExplained, failuresOf, type KnownIssueResult } from "../known-issues/match.js";
import { type DcsWatchFacts, dcsWatchFacts } from "./dcs-watch-facts.js";

export type { KnownIssueResult } from "../known-issues/match.js";

export const REPORT_SCHEMA_VERSION = 1 as const;

/**
 * `known`: every failure is explained by a known issue whose evidence was found (not pass, not fail).
 * `skipped`: the scenario's `requires:` does not hold for the lab's versions (not a failure).
 */
export type RunOutcome = "pass" | "fail" | "error" | "known" | "skipped";

export interface ScenarioInfo {
  name: string;
  description?: string;
  /** Path of the scenario file, as given to pgchaos. */
  file?: string;
  /** The scenario's source YAML. */
  text?: string;
  /** Incident the scenario reproduces (e.g. "clock-skew"); also the JUnit classname suffix. */
  incident?: string;
}

export interface TopologyNode {
  name: string;
  kind: string;
  ip?: string;
}

export interface Topology {
  /** Patroni scope (cluster name). */
  scope?: string;
  nodes: TopologyNode[];
}

export interface Versions {
  postgresql: string;
  patroni: string;
  etcd: string;
  haproxy?: string;
  pgchaos?: string;
  /** The pgchaos stack the lab image was built from (absent for a user's own image). */
  stack?: string;
  /** The lab image's reference. */
  image?: string;
}

export interface StepReport {
  index: number;
  id: string;
  type: StepEvent["type"];
  text: string;
  tStart: number;
  /** null when the step never ended (the run was cut short). */
  tEnd: number | null;
  outcome: RunOutcome;
  detail?: string;
  /** Line of the step in the scenario file. */
  line?: number;
}

export interface FaultReport {
  id: string;
  type: string;
  targets: string[];
  injectedAt: number;
  /** null when no heal was recorded. */
  healedAt: number | null;
  /** Injection succeeded and, if healed, healing succeeded too. */
  ok: boolean;
  error?: string;
  params?: Record<string, unknown>;
}

export interface ActionReport {
  id: string;
  action: string;
  t: number;
  tEnd: number;
  ok: boolean;
  status?: number;
  body?: string;
  error?: string;
}

export interface WorkloadCounts {
  attempted: number;
  ok: number;
  fail: number;
  unknown: number;
}

export interface WorkloadFigures extends WorkloadCounts {
  /** Attempts with no node to send to (WriteOp.node null). */
  notSent: number;
  /** Attempts per second over the workload span. */
  rate: number;
  /** Acknowledged writes per second over the workload span. */
  okRate: number;
  /** From the first invocation to the last completion, ms. */
  spanMs: number;
  byVia: Partial<Record<WriteOp["via"], WorkloadCounts>>;
}

export interface Durations {
  /** endedAt - startedAt. */
  totalMs: number;
  /** Time of the last event on the history axis. */
  historyMs: number;
  setupMs?: number;
  teardownMs?: number;
  /** What the run cost the machine, from the journal's teardown event (journals before 2026-12-06 have none). */
  cpu?: RunCpu;
}

/** Everything a report needs. Serialised as report.json. */
export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  runId: string;
  outcome: RunOutcome;
  /** Infrastructure error that prevented a proper run (outcome "error"). */
  error?: string;
  /** Why the scenario did not run on this lab (outcome "skipped"), e.g. its `requires:` ranges. */
  skipped?: string;
  /** Keys of the team's own patroni.yml that pgchaos kept its own value for, and why. */
  patroniConfigOverrides?: string[];
  scenario: ScenarioInfo;
  /** ISO 8601 wall times. */
  startedAt: string;
  endedAt: string;
  /** Wall time (ISO 8601) of the history's t = 0. */
  origin: string;
  durations: Durations;
  topology: Topology;
  versions: Versions;
  steps: StepReport[];
  faults: FaultReport[];
  actions: ActionReport[];
  verdicts: Verdict[];
  workload: WorkloadFigures;
  /** What Patroni did otherwise than documented, with evidence (free text). */
  findings?: string[];
  /** The scenario's known issues: which showed, which failures they explain, and which did not show. */
  knownIssues?: KnownIssueResult[];
  /** How the run was made: the seed of the harness's random choices and the time scale. */
  options?: RunOptionsInfo;
  /** Where the raw material is, relative to the report's directory. */
  logs?: { journal?: string; dir?: string };
  /** What the etcd3 watch on the DCS recorded, in figures (when the run had one). */
  dcsWatch?: DcsWatchFacts;
  /** The full timeline. */
  events: HistoryEvent[];
}

export interface RunOptionsInfo {
  seed?: number;
  timeScale?: number;
}

export interface BuildReportInput {
  runId: string;
  scenario: ScenarioInfo;
  startedAt: string | Date;
  endedAt: string | Date;
  origin: string | Date;
  topology?: Topology;
  versions?: Partial<Versions>;
  events: readonly HistoryEvent[];
  verdicts?: Verdict[];
  /** An infrastructure error (the run could not be carried out as written). */
  error?: string | Error;
  /** The run was not carried out on purpose: why (outcome "skipped" unless there is an error). */
  skipped?: string;
  patroniConfigOverrides?: string[];
  findings?: string[];
  knownIssues?: KnownIssueResult[];
  options?: RunOptionsInfo;
  /** Scenario file line of each step, by step index. */
  stepLines?: Record<number, number>;
  logs?: { journal?: string; dir?: string };
  setupMs?: number;
  teardownMs?: number;
}

const iso = (d: string | Date) => (typeof d === "string" ? d : d.toISOString());
const byT = <T extends { t: number }>(xs: T[]) => xs.sort((a, b) => a.t - b.t);

/**
 * Assemble a RunReport: header info from `input`, steps/faults/actions/workload derived from
 * the history. StepEvent.index is 0-based (as the runner emits it); texts meant for people
 * (report.md, junit.xml, `error`) number steps from 1. Outcome: "error" on an infrastructure error or a step that errored or never
 * ended; else "fail" if a step failed or a verdict is not ok; else "pass".
 */
export function buildReport(input: BuildReportInput): RunReport {
  const events = [...input.events].sort((a, b) => a.t - b.t);
  const steps = deriveSteps(events.filter((e): e is StepEvent => e.kind === "step"), input.stepLines ?? {});
  const faults = deriveFaults(events.filter((e): e is FaultEvent => e.kind === "fault"));
  const actions: ActionReport[] = events
    .filter((e): e is ActionEvent => e.kind === "action")
    .map(({ kind: _k, ...a }) => a);
  const workload = deriveWorkload(events.filter((e): e is WriteOp => e.kind === "write"));
  const verdicts = input.verdicts ?? [];

  let error = input.error === undefined ? undefined : input.error instanceof Error ? input.error.message : input.error;
  const errored = steps.filter((s) => s.outcome === "error");
  if (error === undefined && errored.length > 0) {
    const s = errored[0];
    error = `step ${s.index + 1} (${s.id}) ${s.tEnd === null ? "did not finish" : "errored"}${s.detail ? `: ${s.detail}` : ""}`;
  }
  const failed = steps.some((s) => s.outcome === "fail") || verdicts.some((v) => !v.ok);
  // Known only when every failure (failed step, failed verdict; an unknown verdict never) is
  // explained by a known issue that showed.
  const known = failed && !verdicts.some((v) => !v.ok && v.unknown) && allExplained(failuresOf(events, verdicts), input.knownIssues ?? []);
  const outcome: RunOutcome = error !== undefined ? "error" : input.skipped !== undefined ? "skipped" : known ? "known" : failed ? "fail" : "pass";

  const startedAt = iso(input.startedAt);
  const endedAt = iso(input.endedAt);
  const durations: Durations = {
    totalMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) || 0,
    historyMs: events.reduce((m, e) => Math.max(m, e.t, "tEnd" in e ? (e.tEnd ?? e.t) : e.t), 0),
    ...(input.setupMs !== undefined ? { setupMs: input.setupMs } : {}),
    ...(input.teardownMs !== undefined ? { teardownMs: input.teardownMs } : {}),
  };
  const cpu = events.find((e): e is TeardownEvent => e.kind === "teardown")?.cpu;
  if (cpu) durations.cpu = cpu;
  const dcsWatch = dcsWatchFacts(events);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    runId: input.runId,
    outcome,
    ...(error !== undefined ? { error } : {}),
    ...(input.skipped !== undefined ? { skipped: input.skipped } : {}),
    ...(input.patroniConfigOverrides?.length ? { patroniConfigOverrides: input.patroniConfigOverrides } : {}),
    scenario: input.scenario,
    startedAt,
    endedAt,
    origin: iso(input.origin),
    durations,
    topology: input.topology ?? { nodes: [] },
    versions: {
      postgresql: input.versions?.postgresql ?? "unknown",
      patroni: input.versions?.patroni ?? "unknown",
      etcd: input.versions?.etcd ?? "unknown",
      ...(input.versions?.haproxy ? { haproxy: input.versions.haproxy } : {}),
      ...(input.versions?.pgchaos ? { pgchaos: input.versions.pgchaos } : {}),
      ...(input.versions?.stack ? { stack: input.versions.stack } : {}),
      ...(input.versions?.image ? { image: input.versions.image } : {}),
    },
    steps,
    faults,
    actions,
    verdicts,
    workload,
    ...(input.findings?.length ? { findings: input.findings } : {}),
    ...(input.knownIssues?.length ? { knownIssues: input.knownIssues } : {}),
    ...(input.options ? { options: input.options } : {}),
    ...(input.logs ? { logs: input.logs } : {}),
    ...(dcsWatch ? { dcsWatch } : {}),
    events,
  };
}

function deriveSteps(stepEvents: StepEvent[], lines: Record<number, number>): StepReport[] {
  const byIndex = new Map<number, { start?: StepEvent; end?: StepEvent }>();
  for (const e of stepEvents) {
    let s = byIndex.get(e.index);
    if (!s) byIndex.set(e.index, (s = {}));
    if (e.phase === "start") s.start ??= e;
    else s.end = e;
  }
  const out: StepReport[] = [];
  for (const [index, { start, end }] of [...byIndex.entries()].sort((a, b) => a[0] - b[0])) {
    const e = (start ?? end)!;
    const outcome: RunOutcome = end ? (end.outcome ?? "pass") : "error";
    const detail = end?.detail ?? (end ? undefined : "step did not finish");
    out.push({
      index,
      id: e.id,
      type: e.type,
      text: e.text,
      tStart: start?.t ?? end!.t,
      tEnd: end?.t ?? null,
      outcome,
      ...(detail !== undefined ? { detail } : {}),
      ...(lines[index] !== undefined ? { line: lines[index] } : {}),
    });
  }
  return out;
}

function deriveFaults(faultEvents: FaultEvent[]): FaultReport[] {
  const out: FaultReport[] = [];
  const open = new Map<string, FaultReport>();
  for (const e of byT(faultEvents)) {
    if (e.phase === "inject") {
      const f: FaultReport = {
        id: e.id,
        type: e.fault,
        targets: e.targets,
        injectedAt: e.t,
        healedAt: null,
        ok: e.ok,
        ...(e.error !== undefined ? { error: e.error } : {}),
        ...(e.params !== undefined ? { params: e.params } : {}),
      };
      out.push(f);
      open.set(e.id, f);
    } else {
      let f = open.get(e.id);
      if (!f) {
        // A heal without a recorded injection: keep it visible.
        f = { id: e.id, type: e.fault, targets: e.targets, injectedAt: e.t, healedAt: null, ok: false, error: "heal without injection" };
        out.push(f);
      }
      f.healedAt = e.t;
      f.ok &&= e.ok;
      if (e.error !== undefined) f.error = f.error ? `${f.error}; heal: ${e.error}` : `heal: ${e.error}`;
      open.delete(e.id);
    }
  }
  return out;
}

function counts(ws: WriteOp[]): WorkloadCounts {
  return {
    attempted: ws.length,
    ok: ws.filter((w) => w.outcome === "ok").length,
    fail: ws.filter((w) => w.outcome === "fail").length,
    unknown: ws.filter((w) => w.outcome === "unknown").length,
  };
}

function deriveWorkload(writes: WriteOp[]): WorkloadFigures {
  const c = counts(writes);
  // (reduce, not Math.max(...xs): histories can hold more elements than a call has arguments)
  const spanMs = writes.length
    ? writes.reduce((m, w) => Math.max(m, w.tEnd), -Infinity) - writes.reduce((m, w) => Math.min(m, w.t), Infinity)
    : 0;
  const perSec = (n: number) => (spanMs > 0 ? Math.round((n / spanMs) * 1000 * 100) / 100 : 0);
  const byVia: WorkloadFigures["byVia"] = {};
  for (const via of ["direct", "haproxy"] as const) {
    const ws = writes.filter((w) => w.via === via);
    if (ws.length) byVia[via] = counts(ws);
  }
  return {
    ...c,
    notSent: writes.filter((w) => w.node === null).length,
    rate: perSec(c.attempted),
    okRate: perSec(c.ok),
    spanMs,
    byVia,
  };
}
