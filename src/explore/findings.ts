/**
 * What explore makes of a run of a schedule (pure: a report and the schedule in, a judgement
 * out): which failures count, whether known issues explain them, the signature that groups
 * failures of one kind, how often a rerun reproduces one, and the book of findings an
 * exploration keeps.
 */
import { createHash } from "node:crypto";
import type { RunReport } from "../report/model.js";
import type { KnownIssue } from "../known-issues/schema.js";
import { allExplained, failuresOf, matchKnownIssues, type Failure, type KnownIssueResult } from "../known-issues/match.js";
import { wilson } from "../report/aggregate.js";
import { nodeKindOf, NODE_NAME_PATTERN } from "../scenario/primitives.js";
import { FINALLY_PREFIX } from "./schedule.js";

/** Run checks that judge the harness (a heal that failed, a lab not removed), not Patroni: never a finding. */
export const HARNESS_CHECKS: readonly string[] = ["faults-healed", "lab-teardown"];

/** What a run of a schedule is to explore. */
export type RunVerdict =
  /** No failure that counts. */
  | "pass"
  /** Failures that count, not all explained by known issues. */
  | "finding"
  /** Every failure that counts is explained by a known issue whose evidence was found: counted, not a new finding. */
  | "explained"
  /** The run did not happen properly (infrastructure) and nothing that counts failed. */
  | "error"
  /** The lab's versions are outside the base's `requires:`. */
  | "skipped";

export interface RunJudgement {
  verdict: RunVerdict;
  /** The failures that count, sorted: `checker:<name>` (invariants, run checks) and `step:<id>` (expectations). */
  failures: string[];
  /** Failures set aside: steps of faults and actions (stimuli the cluster may refuse, a role nobody held) and harness checks. */
  setAside: string[];
  /** Known issues that showed and explain failures (with their evidence). */
  explainedBy: KnownIssueResult[];
}

type Doc = Record<string, unknown>;
const stepsOf = (doc: Doc): Record<string, unknown>[] => (Array.isArray(doc.steps) ? (doc.steps as Record<string, unknown>[]) : []);

/** The step of the schedule a StepEvent id names (its id, or `step-<n>`). */
function stepById(doc: Doc, id: string): Record<string, unknown> | undefined {
  const steps = stepsOf(doc);
  const named = steps.find((s) => s.id === id);
  if (named) return named;
  const m = /^step-(\d+)$/.exec(id);
  return m ? steps[Number(m[1]) - 1] : undefined;
}

/**
 * Judges one run of a schedule (`doc`, as written). Counted: definite failures of invariants and
 * run checks (but the harness's own) and of expectation steps. Known issues are matched whatever
 * scenario they were written for: a schedule is drawn, so an issue of the shared file explains a
 * failure when the schedule shares a fault kind with that scenario (`applicableIssues`), its
 * versions hold, it covers a failed checker (or step id) and every evidence line is in the
 * record (src/known-issues/match.ts, as for any run).
 */
/** A known issue as explore matches it: with the fault kinds of the scenario it was written for, when that scenario was found. */
export type ExploreKnownIssue = KnownIssue & { faultKinds?: readonly string[] };

/** The fault kinds a scenario (as written) injects. */
export function faultKindsOf(doc: Doc): string[] {
  const steps = Array.isArray(doc.steps) ? (doc.steps as Record<string, unknown>[]) : [];
  return [...new Set(steps.map((s) => s.fault).filter((f): f is string => typeof f === "string"))].sort();
}

/**
 * The known issues that may explain a schedule's failure: one written for a scenario whose fault
 * kinds are known applies only to a schedule that injects every one of them (the mechanism the
 * issue describes needs them). Evidence lines are often generic (a leader demoting because the
 * DCS is not accessible shows after any cut from etcd), so without this rule the issue of an
 * etcd-dns-break scenario (partition + etcd-dns-break) explained a lone partition's split brain
 * and explore reported nothing. A wrongly unexplained failure is a finding someone reads; a
 * wrongly explained one is lost.
 */
export function applicableIssues(knownIssues: readonly ExploreKnownIssue[], doc: Doc): ExploreKnownIssue[] {
  const kinds = new Set(faultKindsOf(doc));
  return knownIssues.filter((k) => k.faultKinds === undefined || k.faultKinds.every((f) => kinds.has(f)));
}

export function judgeRun(report: RunReport, doc: Doc, knownIssues: readonly ExploreKnownIssue[] = []): RunJudgement {
  if (report.outcome === "skipped") return { verdict: "skipped", failures: [], setAside: [], explainedBy: [] };
  const all = failuresOf(report.events, report.verdicts);
  const counts = (f: Failure) => {
    if (f.key.startsWith("checker:")) return !HARNESS_CHECKS.includes(f.key.slice("checker:".length));
    const step = stepById(doc, f.key.slice("step:".length));
    return step !== undefined && "expect" in step;
  };
  const counted = all.filter(counts);
  const failures = [...new Set(counted.map((f) => f.key))].sort();
  const setAside = [...new Set(all.filter((f) => !counts(f)).map((f) => f.key))].sort();
  if (!counted.length) return { verdict: report.outcome === "error" ? "error" : "pass", failures, setAside, explainedBy: [] };
  const results = matchKnownIssues({
    scenario: report.scenario.name,
    issues: applicableIssues(knownIssues, doc).map(({ faultKinds: _kinds, ...k }) => ({ ...k, scenario: undefined })),
    versions: { patroni: report.versions.patroni, postgresql: report.versions.postgresql, etcd: report.versions.etcd },
    events: report.events,
    failures: counted,
  });
  const explainedBy = results.filter((r) => r.showed);
  return { verdict: allExplained(counted, results) ? "explained" : "finding", failures, setAside, explainedBy };
}

/* ------------------------------------------------------------------------------------------ */

/** Failures from the gravest down: a shrink must keep the gravest failure of the original. */
const GRAVITY = ["checker:single-primary", "checker:no-acked-write-lost", "checker:write-availability", "checker:dcs-endpoint-failover", "checker:cluster-settled"];

/** The failure a candidate must reproduce: the gravest of the original's. */
export function primaryFailure(failures: readonly string[]): string | undefined {
  const rank = (f: string) => (GRAVITY.includes(f) ? GRAVITY.indexOf(f) : f.startsWith("checker:") ? GRAVITY.length : GRAVITY.length + 1);
  return [...failures].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
}

/** A run reproduces a finding when it fails the finding's gravest failure (other failures may come and go). */
export function reproduces(finding: readonly string[], run: RunJudgement): boolean {
  const p = primaryFailure(finding);
  return run.verdict === "finding" && p !== undefined && run.failures.includes(p);
}

/* ------------------------------------------------------------------------------------------ */

export interface Signature {
  /** What failed (sorted, as in RunJudgement.failures). */
  failures: string[];
  /** Fault kinds and action kinds of the schedule (sorted, each once). */
  faults: string[];
  actions: string[];
  /** Roles of the targets: leader, replica (by reference), patroni, etcd, haproxy (by name); sorted. */
  roles: string[];
  /** The folder name under findings/: readable, at most 120 characters. */
  key: string;
}

/** Parameters that name nodes. */
const NODE_KEYS = new Set(["targets", "node", "candidate", "leader", "member", "points_to"]);

function rolesIn(step: Record<string, unknown>): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(add);
    if (typeof v !== "string") return;
    const m = /^(leader|replica)@/.exec(v);
    if (m) out.push(m[1]);
    else if (NODE_NAME_PATTERN.test(v)) out.push(nodeKindOf(v));
  };
  for (const [k, v] of Object.entries(step)) if (NODE_KEYS.has(k)) add(v);
  return out;
}

const sortedSet = (xs: string[]) => [...new Set(xs)].sort();

/** Groups failures: the same failures after the same kinds of fault and action on targets of the same roles. */
export function signatureOf(failures: readonly string[], doc: Doc): Signature {
  const steps = stepsOf(doc);
  const faults = sortedSet(steps.flatMap((s) => (typeof s.fault === "string" ? [s.fault] : [])));
  // The steps a schedule adds at its end to undo an action (a resume after a pause) are not part of what was drawn.
  const actions = sortedSet(steps.filter((s) => typeof s.action === "string" && !String(s.id ?? "").startsWith(FINALLY_PREFIX)).map((s) => String(s.action)));
  const roles = sortedSet(steps.filter((s) => "fault" in s || "action" in s).flatMap(rolesIn));
  const f = sortedSet([...failures]);
  const part = (xs: string[], none: string) => (xs.length ? xs.join("+") : none);
  const raw = [part(f.map((x) => x.replace(/^checker:/, "").replace(/^step:/, "step-")), "no-failure"), part(faults, "no-fault"), part(actions, "no-action"), part(roles, "no-target")].join("--");
  const clean = raw.toLowerCase().replace(/[^a-z0-9+_-]/g, "_");
  const key = clean.length <= 120 ? clean : `${clean.slice(0, 110)}-${createHash("sha256").update(clean).digest("hex").slice(0, 9)}`;
  return { failures: f, faults, actions, roles, key };
}

/* ------------------------------------------------------------------------------------------ */

export interface Rate {
  reproduced: number;
  runs: number;
  /** reproduced / runs, with a 95% Wilson interval. */
  rate: number;
  low: number;
  high: number;
}

/** The reproduction rate of k reruns (true: the rerun reproduced the finding). */
export function reproductionRate(results: readonly boolean[]): Rate {
  const reproduced = results.filter(Boolean).length;
  const runs = results.length;
  const { low, high } = wilson(reproduced, runs);
  return { reproduced, runs, rate: runs ? reproduced / runs : 0, low, high };
}

export function rateText(r: Rate): string {
  return `${r.reproduced}/${r.runs} reruns reproduced it (95% interval ${Math.round(r.low * 100)}-${Math.round(r.high * 100)}%)`;
}

/* ------------------------------------------------------------------------------------------ */

/** One finding of an exploration, as kept in its state file and findings/<key>/finding.json. */
export interface Finding {
  /** The signature of the schedule it was found with (its folder until a minimal schedule has another). */
  signature: Signature;
  /** Schedules that failed with this signature (names), the first being the one shrunk. */
  schedules: string[];
  /** Reruns of the first schedule. */
  rate?: Rate;
  /** The shrunk schedule's signature, when shrinking ended. */
  minimal?: {
    signature: Signature;
    /** Fault and action steps left. */
    steps: number;
    shrinkSteps: number;
    /** Lab runs the shrink took. */
    runs: number;
    stopped: string;
    /** What each shrink step did, in order. */
    log?: string[];
    /** The folder of a run of the minimal schedule that failed, relative to the exploration's folder. */
    report?: string;
  };
  /**
   * Set by `pgchaos merge` when more than one shard found it: each shard's finding as that shard
   * recorded it. Their rates stay apart: each is of another schedule's reruns.
   */
  mergedFrom?: ShardFinding[];
}

/** One shard's finding within a merged one. */
export interface ShardFinding {
  /** The shard's OUT, relative to the merged OUT (`/`-separated). */
  out: string;
  /** `I/N`, when the shard's OUT records it. */
  shard?: string;
  /** Its folder under the shard's findings/. */
  dir: string;
  /** The schedule that shard reran and shrank. */
  schedule: string;
  /** Schedules of that shard that failed this way. */
  schedules: number;
  rate?: Rate;
  /** Fault and action steps of that shard's minimal schedule, once shrunk. */
  minimalSteps?: number;
}

/** The findings of an exploration and the failures known issues explained. */
export interface FindingsBook {
  findings: Finding[];
  /** Runs whose failures known issues explained, by known issue id. */
  explained: Record<string, number>;
}

export const emptyBook = (): FindingsBook => ({ findings: [], explained: {} });

const within = (xs: readonly string[], ys: readonly string[]) => xs.every((x) => ys.includes(x));

/**
 * The finding a signature belongs to: the same signature as found or as shrunk, or a shrunk
 * finding with the same failures whose minimal schedule's kinds and roles are all in this one
 * (the larger schedule most likely fails for the same reason; it is counted, not shrunk again).
 */
export function findingFor(book: FindingsBook, sig: Signature): Finding | undefined {
  return book.findings.find((f) => hasSignature(f, sig)) ?? book.findings.find((f) => containsMinimal(sig, f));
}

/** The finding was found or shrunk with this very signature. */
export const hasSignature = (f: Finding, sig: Signature): boolean => f.signature.key === sig.key || f.minimal?.signature.key === sig.key;

/** A schedule of this signature fails as the shrunk finding does, with all its minimal schedule's kinds and roles (and maybe more). */
export function containsMinimal(sig: Signature, f: Finding): boolean {
  const m = f.minimal?.signature;
  return !!m && m.failures.join() === sig.failures.join() && within(m.faults, sig.faults) && within(m.actions, sig.actions) && within(m.roles, sig.roles);
}

/**
 * Books a run's judgement: a failure of a known signature is one more occurrence, another is a
 * new finding (returned with `isNew`), an explained run is counted per known issue.
 */
export function bookRun(book: FindingsBook, schedule: string, j: RunJudgement, doc: Doc): { finding?: Finding; isNew: boolean } {
  if (j.verdict === "explained") {
    for (const k of j.explainedBy) book.explained[k.id] = (book.explained[k.id] ?? 0) + 1;
    return { isNew: false };
  }
  if (j.verdict !== "finding") return { isNew: false };
  const sig = signatureOf(j.failures, doc);
  const known = findingFor(book, sig);
  if (known) {
    if (!known.schedules.includes(schedule)) known.schedules.push(schedule);
    return { finding: known, isNew: false };
  }
  const finding: Finding = { signature: sig, schedules: [schedule] };
  book.findings.push(finding);
  return { finding, isNew: true };
}

/** The folder of a finding under findings/: its minimal signature once shrunk, else the one it was found with. */
export const findingDir = (f: Finding) => f.minimal?.signature.key ?? f.signature.key;

/**
 * Records where shrinking ended. When the minimal schedule's signature is that of another
 * finding (two schedules shrunk to the same thing), the two are one finding: this one's
 * schedules join the other's, which stays. Returns the finding that stays.
 */
export function settleMinimal(book: FindingsBook, finding: Finding, minimal: NonNullable<Finding["minimal"]>): Finding {
  finding.minimal = minimal;
  const other = book.findings.find((f) => f !== finding && findingDir(f) === minimal.signature.key);
  if (!other) return finding;
  for (const s of finding.schedules) if (!other.schedules.includes(s)) other.schedules.push(s);
  book.findings.splice(book.findings.indexOf(finding), 1);
  return other;
}
