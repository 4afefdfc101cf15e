import type { HistoryEvent, LogLine, StepEvent } from "../history/events.js";
import { failureWindow, type Verdict } from "../checker/checker.js";
import { checkRanges, type RunVersions, type Versioned, type VersionRanges } from "../versions/range.js";
import type { KnownIssue } from "./schema.js";

/** A failure of a run, named the way `covers` names it. */
export interface Failure {
  /** "step:<id>" or "checker:<name>". */
  key: string;
  /**
   * When it happened on the history axis (ms): a failed step from its start to its end; a
   * verdict from the earliest to the latest of its evidence's failure windows (failureWindow in
   * checker.ts). Absent when the record gives the failure no time (a run check such as
   * cluster-settled): evidence with `near_failure` can then never be near it.
   */
  start?: number;
  end?: number;
}

/** What became of one known issue of the scenario in one run (report.json `knownIssues`). */
export interface KnownIssueResult {
  id: string;
  summary: string;
  reference?: string;
  /** The issue showed: versions in range, a covered failure happened and every evidence line was found. */
  showed: boolean;
  /** The failures it explains ("step:<id>", "checker:<name>"); empty when it did not show. */
  matched: string[];
  /** The log lines found as evidence, for people ("pg2 +36.1s: ..."). */
  evidence: string[];
  /** Why it did not show (out of version range, covered parts passed, evidence missing). */
  why?: string;
  /** The failures it would explain ("step:<id>", "checker:<name>"): its `covers`. (Reports before 2027-01 lack it, as the three below.) */
  covers?: string[];
  /** The versions it is known on, and the first release that fixed it (the entry's `versions`, `fixed_in`). */
  versions?: VersionRanges;
  fixedIn?: Partial<Record<Versioned, string>>;
  /** The entry is a documented behaviour (`kind: documented`), not an upstream bug. */
  documented?: true;
  /** The run's versions lay in `versions`. */
  inRange?: boolean;
}

const fmt = (t: number) => `+${(t / 1000).toFixed(1)}s`;

/** The definite failures of a run: failed steps and verdicts that are not ok (unknown verdicts are not explained by a known issue). */
export function failuresOf(events: readonly HistoryEvent[], verdicts: readonly Verdict[]): Failure[] {
  const out: Failure[] = [];
  for (const e of events) {
    if (e.kind !== "step" || e.phase !== "end" || e.outcome !== "fail") continue;
    const s = e as StepEvent;
    const start = events.find((x): x is StepEvent => x.kind === "step" && x.phase === "start" && x.index === s.index)?.t;
    out.push({ key: `step:${s.id}`, start: start ?? s.t, end: s.t });
  }
  for (const v of verdicts) {
    if (v.ok || v.unknown) continue;
    const times = v.evidence.flatMap((x) => failureWindow(x) ?? []);
    out.push({
      key: `checker:${v.checker}`,
      ...(times.length ? { start: Math.min(...times.map((x) => x.start)), end: Math.max(...times.map((x) => x.end)) } : {}),
    });
  }
  return out;
}

export interface MatchInput {
  scenario: string;
  /** Known issues from the shared file (each naming a scenario) and from the scenario itself (scenario omitted). */
  issues: readonly KnownIssue[];
  versions: RunVersions;
  events: readonly HistoryEvent[];
  failures: readonly Failure[];
}

/**
 * Which of the scenario's known issues showed in this run, and which failures they explain.
 * A pure function of the record: the evidence is looked for in the recorded log lines.
 */
export function matchKnownIssues(input: MatchInput): KnownIssueResult[] {
  const logs = input.events.filter((e): e is LogLine => e.kind === "log");
  return input.issues
    .filter((k) => k.scenario === undefined || k.scenario === input.scenario)
    .map((k): KnownIssueResult => {
      const covers = [...(k.covers.steps ?? []).map((s) => `step:${s}`), ...(k.covers.checkers ?? []).map((c) => `checker:${c}`)];
      const range = checkRanges(k.versions, input.versions);
      const fixedIn = Object.fromEntries(Object.entries(k.fixed_in ?? {}).filter(([, v]) => v !== undefined)) as Partial<Record<Versioned, string>>;
      const base = {
        id: k.id,
        summary: k.summary,
        ...(k.reference ? { reference: k.reference } : {}),
        covers,
        versions: k.versions,
        ...(Object.keys(fixedIn).length ? { fixedIn } : {}),
        ...(k.kind === "documented" ? { documented: true as const } : {}),
        inRange: range.ok,
      };
      const no = (why: string): KnownIssueResult => ({ ...base, showed: false, matched: [], evidence: [], why });
      if (!range.ok) return no(`not applicable: ${range.mismatches.join("; ")}`);
      const covered = new Set(covers);
      const failed = input.failures.filter((f) => covered.has(f.key));
      if (!failed.length) return no(`did not show: ${[...covered].join(", ")} passed`);
      const found: string[] = [];
      for (const ev of k.evidence) {
        const re = new RegExp(ev.matches);
        const undone = ev.not_followed_by === undefined ? undefined : new RegExp(ev.not_followed_by);
        const near = (l: LogLine, f: Failure) =>
          ev.near_failure === undefined || (f.start !== undefined && l.t >= f.start - ev.near_failure && l.t <= (f.end ?? f.start) + ev.near_failure);
        // With not_followed_by the line is a state that must still hold when the failure ended.
        const stillHeld = (l: LogLine, f: Failure) =>
          !undone || (f.end !== undefined && l.t <= f.end && !logs.some((x) => x.node === l.node && x.t > l.t && x.t <= f.end! && undone.test(x.line)));
        const line = logs.find((l) => (ev.node === "any" || l.node === ev.node) && re.test(l.line) && failed.some((f) => near(l, f) && stillHeld(l, f)));
        if (!line) {
          const where =
            `${ev.node === "any" ? "any node's" : `${ev.node}'s`} log` +
            (ev.near_failure !== undefined ? ` within ${ev.near_failure / 1000} s of the failure` : "") +
            (undone ? ` without a later /${ev.not_followed_by}/ before the failure ended` : "");
          // Say so when no covered failure has a time: no line can be near it, whatever the logs hold.
          const timeless = ev.near_failure !== undefined && failed.every((f) => f.start === undefined);
          return no(
            `${failed.map((f) => f.key).join(", ")} failed, but the evidence /${ev.matches}/ is not in ${where}` +
              (timeless ? ` (the record gives ${failed.length > 1 ? "these failures" : "this failure"} no time)` : "") +
              ": an unexpected failure",
          );
        }
        found.push(`${line.node} ${fmt(line.t)}: ${line.line.slice(0, 240)}`);
      }
      return { ...base, showed: true, matched: failed.map((f) => f.key), evidence: found };
    });
}

/** Every failure is explained by a known issue that showed (and there is at least one failure). */
export function allExplained(failures: readonly Failure[], results: readonly KnownIssueResult[]): boolean {
  const explained = new Set(results.filter((r) => r.showed).flatMap((r) => r.matched));
  return failures.length > 0 && failures.every((f) => explained.has(f.key));
}
