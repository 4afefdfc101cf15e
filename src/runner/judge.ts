import type { HistoryEvent } from "../history/events.js";
import type { Invariant } from "../scenario/schema.js";
import { checkers } from "../checker/index.js";
import type { Verdict } from "../checker/checker.js";
import { clusterSettled, dcsEndpointFailover, faultsHealed, labTeardown } from "../checker/run-checks.js";
import type { KnownIssue } from "../known-issues/schema.js";
import { failuresOf, matchKnownIssues, type KnownIssueResult } from "../known-issues/match.js";
import type { Versions } from "../report/model.js";
import { promiseOnPatroni, type ReplicationPromise } from "../scenario/replication.js";
import { findingsFromVerdicts } from "./findings.js";

export interface JudgeInput {
  /** The recorded history (any order). */
  events: readonly HistoryEvent[];
  invariants: readonly Invariant[];
  /** Why the run could not be carried out as written, when it could not. */
  error?: string;
  /**
   * The scenario's name and DCS timings (for the run checks and the known issues), and the
   * replication settings its cluster ran with (for no-acked-write-lost: without them every lost
   * write is a violation).
   */
  scenario?: { name: string; patroni: { retry_timeout: number; loop_wait: number }; replication?: ReplicationPromise };
  /** Known issues: the scenario's own and the shared file's (those of other scenarios are ignored). */
  knownIssues?: readonly KnownIssue[];
  versions?: Partial<Versions>;
}

export interface Judgement {
  /** The scenario's invariants, then the run checks (settled, faults healed, teardown, DCS endpoints). */
  verdicts: Verdict[];
  /** Evidence a person reads next to the verdicts (Patroni's own log lines, failed expectations). */
  findings: string[];
  /** Each of the scenario's known issues: whether it showed and which failures it explains. */
  knownIssues: KnownIssueResult[];
}

/**
 * Judges a recorded run: the scenario's invariants and the run checks, the findings that go with
 * the verdicts, and the known issues. A pure function of the record, so a stored journal can be
 * judged again. An errored or interrupted run is judged too: its history is what it is, and a
 * checker that cannot decide from it answers unknown (e.g. no final read).
 */
export function judge(input: JudgeInput): Judgement {
  const { events } = input;
  const verdicts: Verdict[] = input.invariants.map((inv) => {
    const make = checkers[inv.name] as (o?: object) => { check: (ev: readonly HistoryEvent[], o?: object) => Verdict };
    const kept = inv.name === "no-acked-write-lost" ? promiseOnPatroni(input.scenario?.replication, input.versions?.patroni) : undefined;
    const replication = kept?.promise;
    const v = make(replication ? { ...inv.options, replication } : inv.options).check(events);
    const notes = [kept?.note, input.error === undefined ? undefined : `Judged on the history of a run that did not finish as written (${input.error}).`].filter((n) => n !== undefined);
    return notes.length ? { ...v, evidence: [...v.evidence, ...notes.map((message) => ({ type: "note" as const, message }))] } : v;
  });
  // Settle and teardown are recorded by the runner since the journal became the record; older
  // histories (without run-info) cannot be asked about them.
  if (events.some((e) => e.kind === "run-info")) verdicts.push(clusterSettled(events), labTeardown(events));
  verdicts.push(faultsHealed(events));
  if (input.scenario) {
    const endpoints = dcsEndpointFailover(events, (input.scenario.patroni.retry_timeout + input.scenario.patroni.loop_wait) * 1000);
    if (endpoints) verdicts.push(endpoints);
  }
  const knownIssues =
    input.scenario && input.knownIssues?.length
      ? matchKnownIssues({
          scenario: input.scenario.name,
          issues: input.knownIssues,
          versions: input.versions ?? {},
          events,
          failures: failuresOf(events, verdicts),
        })
      : [];
  return { verdicts, findings: findingsFromVerdicts(events, verdicts), knownIssues };
}
