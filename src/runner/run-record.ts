/**
 * The journal is the record of a run: its header carries what the run was asked to do (the
 * scenario, its invariants and timings, the known issues, the options, the harness version) and
 * its events what happened (including the lab's versions and topology, settle, teardown and the
 * run's end). `reportFromRecord` turns that record into the report; the runner uses it for its
 * own report and `pgchaos report` for re-judging a stored journal, so both give the same output.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { HistoryEvent, RunEndEvent, RunInfoEvent, TeardownEvent } from "../history/events.js";
import type { KnownIssue } from "../known-issues/schema.js";
import { buildReport, type RunReport } from "../report/model.js";
import type { JournalContents } from "../report/journal.js";
import type { Invariant } from "../scenario/schema.js";
import { packageRoot } from "../util/paths.js";
import { judge } from "./judge.js";
import { patroniTimingAdjustments } from "../stacks/timing-adjustments.js";
import { whenFindings } from "../versions/when.js";
import { parseScenario } from "../scenario/load.js";
import { replicationPromiseOf, type ReplicationPromise } from "../scenario/replication.js";
import { errorText } from "../util/errors.js";

/** journal.jsonl header `meta`: everything besides the events that judging and rendering need. */
export interface RunMeta {
  /** pgchaos, and the process that ran the lab (a game day's worker runs several, one after another). */
  harness: { name: string; version: string; pid?: number };
  scenario: {
    name: string;
    description?: string;
    incident?: string;
    file: string;
    /** The scenario's source YAML, as run. */
    text: string;
    /** Source line of each step, by step index. */
    stepLines: Record<number, number>;
    invariants: Invariant[];
    patroni: { ttl: number; loop_wait: number; retry_timeout: number };
    /**
     * The replication settings the cluster started with (synchronous_mode, maximum_lag_on_failover,
     * ttl: scenario/replication.ts), or why they are unknown. Journals written before it was
     * recorded are read from the scenario text instead (replicationOfRecord).
     */
    replication?: ReplicationPromise;
  };
  /** The known issues this run was judged against: the scenario's own and the shared file's for it. */
  knownIssues: KnownIssue[];
  options: { timeScale: number; seed: number };
}

/** pgchaos's own version (package.json), for the journal header. */
export function harnessVersion(): { name: string; version: string } {
  try {
    const p = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { name?: string; version?: string };
    return { name: p.name ?? "pgchaos", version: p.version ?? "unknown" };
  } catch {
    return { name: "pgchaos", version: "unknown" };
  }
}

export interface RunRecord {
  runId: string;
  /** ISO 8601 wall time of t = 0 (the run's start). */
  wall: string;
  meta: RunMeta;
  events: readonly HistoryEvent[];
}

/** A run record from a parsed journal; a clear error when the journal predates the record's header. */
export function recordFromJournal(j: JournalContents, name: string): RunRecord {
  const meta = j.header?.meta as Partial<RunMeta> | undefined;
  if (!j.header) throw new Error(`${name}: no journal header (first line): cannot tell which run this is`);
  if (!meta?.scenario || !meta.harness || !meta.options)
    throw new Error(`${name}: the journal header has no run record (scenario, options, harness); it was written by a pgchaos before the journal became the record`);
  return { runId: j.header.runId, wall: j.header.wall, meta: { knownIssues: [], ...meta } as RunMeta, events: j.events };
}

/**
 * The replication settings a recorded run was judged against: the recorded ones, else those of
 * the scenario text the journal carries (the same function made them at the run's start), else
 * unknown with why.
 */
export function replicationOfRecord(meta: RunMeta): ReplicationPromise {
  if (meta.scenario.replication) return meta.scenario.replication;
  try {
    return replicationPromiseOf(parseScenario(meta.scenario.text, meta.scenario.file));
  } catch (e) {
    return { unknown: `the journal records no replication settings and its scenario text does not load (${errorText(e).split("\n")[0]})` };
  }
}

/** Judges a recorded run and builds its report, from the record alone. */
export function reportFromRecord(rec: RunRecord): RunReport {
  const { meta, events } = rec;
  const info = events.find((e): e is RunInfoEvent => e.kind === "run-info");
  const end = events.find((e): e is RunEndEvent => e.kind === "run-end");
  const teardown = events.find((e): e is TeardownEvent => e.kind === "teardown");
  const versions = { ...(info?.versions ?? {}) };
  // A skipped run has no history to judge.
  const judgement = end?.skipped !== undefined ? { verdicts: [], findings: [], knownIssues: [] } : judge({
    events,
    invariants: meta.scenario.invariants,
    error: end?.error,
    scenario: { name: meta.scenario.name, patroni: meta.scenario.patroni, replication: replicationOfRecord(meta) },
    knownIssues: meta.knownIssues,
    versions,
  });
  return buildReport({
    runId: rec.runId,
    scenario: {
      name: meta.scenario.name,
      ...(meta.scenario.description !== undefined ? { description: meta.scenario.description } : {}),
      file: meta.scenario.file,
      text: meta.scenario.text,
      ...(meta.scenario.incident !== undefined ? { incident: meta.scenario.incident } : {}),
    },
    startedAt: rec.wall,
    // A journal cut short (the process died) has no run-end: its last event is the end.
    endedAt: end?.endedAt ?? new Date(Date.parse(rec.wall) + events.reduce((m, e) => Math.max(m, e.t), 0)).toISOString(),
    origin: rec.wall,
    topology: info?.topology,
    versions,
    events,
    verdicts: judgement.verdicts,
    error: end ? end.error : "the journal ends before the run did (the process died)",
    findings: [...judgement.findings, ...patroniTimingAdjustments(events), ...whenFindings(events)],
    ...(end?.skipped !== undefined ? { skipped: end.skipped } : {}),
    ...(info?.patroniConfigOverrides ? { patroniConfigOverrides: info.patroniConfigOverrides } : {}),
    knownIssues: judgement.knownIssues,
    options: meta.options,
    stepLines: meta.scenario.stepLines,
    logs: { journal: "journal.jsonl", dir: "logs" },
    ...(info ? { setupMs: info.setupMs } : {}),
    ...(teardown ? { teardownMs: teardown.durationMs } : {}),
  });
}
