import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { renderJson, stableStringify } from "./json.js";
import { renderJUnit } from "./junit.js";
import { renderHtml, renderIndexHtml } from "./html.js";
import { renderMarkdown, cell } from "./markdown.js";
import type { RunOutcome, RunReport } from "./model.js";
import { redact, redactDeep } from "./redact.js";
import { formatDuration } from "./text.js";
import { aggregateLabel, aggregateRuns, passRateText, formatRate, type ScenarioAggregate } from "./aggregate.js";
import { gameDayColumns, renderUpgradeMarkdown, renderUpstreamBugsMarkdown, upgradeDelta, upstreamBugTable, type UpgradeDelta, type UpstreamBugTable } from "./upstream-bugs.js";

export interface WriteOptions {
  /** The run's generated secrets: never written. */
  secrets?: readonly string[];
}

export interface WrittenReports {
  json: string;
  junit: string;
  markdown: string;
  html: string;
}

/** Write report.json, junit.xml, report.md and report.html into `dir` (created if needed), each atomically. */
export async function writeReports(dir: string, report: RunReport, opts: WriteOptions = {}): Promise<WrittenReports> {
  const secrets = opts.secrets ?? [];
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, "report.json"), junit: join(dir, "junit.xml"), markdown: join(dir, "report.md"), html: join(dir, "report.html") };
  await writeFileAtomic(paths.json, renderJson(report, { secrets }));
  await writeFileAtomic(paths.junit, renderJUnit(report, { secrets }));
  await writeFileAtomic(paths.markdown, renderMarkdown(report, { secrets }));
  await writeFileAtomic(paths.html, renderHtml(report, { secrets }));
  return paths;
}

export interface IndexOptions extends WriteOptions {
  /** Link from the summary to a run's report, relative to `dir`. Default `<runId>/report.md`. */
  reportLink?: (r: RunReport) => string;
  /** Title of summary.md. Default "pgchaos game day". */
  title?: string;
  /** A run's 1-based repeat number when scenarios were repeated (--repeat, --until-fail, --for). */
  repeatOf?: (r: RunReport) => number | undefined;
  /** How the game day ran: parallel labs and wall time from first start to last end. */
  pool?: { jobs: number; wallMs: number };
  /** The stacks of a matrix game day, in order: the upstream-bug table's columns (a stack no run reached is still a column). */
  stacks?: readonly string[];
}

export interface SummaryRun {
  runId: string;
  scenario: string;
  incident?: string;
  file?: string;
  outcome: RunOutcome;
  error?: string;
  /** Why the scenario did not run (outcome "skipped"). */
  skipped?: string;
  /** The stack (or own image) the lab ran on, and what it ran. */
  versions?: RunReport["versions"];
  startedAt: string;
  durationMs: number;
  report: string;
  /** 1-based repeat number (only when scenarios were repeated). */
  repeat?: number;
  failedSteps: { index: number; id: string; text: string; detail?: string }[];
  verdicts: { checker: string; ok: boolean; unknown?: boolean; summary: string }[];
  /** The scenario's known issues in this run: which showed and what they explain. */
  knownIssues?: { id: string; showed: boolean; matched: string[] }[];
}

export interface Summary {
  schemaVersion: 1;
  outcome: RunOutcome;
  counts: Record<RunOutcome, number> & { total: number };
  runs: SummaryRun[];
  /** Per scenario: runs, outcome rates with 95% Wilson intervals, first failing run, figure distributions. */
  scenarios: ScenarioAggregate[];
  /** Parallel labs (-j) and the game day's wall time. */
  pool?: { jobs: number; wallMs: number };
  /**
   * The upgrade table (report/upstream-bugs.ts): a row per known-issue entry of the scenarios
   * run, a column per stack (or image), each cell present / absent / undecided / not-run. Only
   * when some run lists known issues.
   */
  upstreamBugs?: UpstreamBugTable;
  /** With several columns: what going from each column to the next removes, keeps and brings. */
  upgrades?: UpgradeDelta[];
}

/** The upgrade table of a game day's reports, and the upgrades between consecutive columns. */
export function upstreamBugsOf(reports: readonly RunReport[], stacks?: readonly string[]): { upstreamBugs: UpstreamBugTable; upgrades: UpgradeDelta[] } | undefined {
  const t = upstreamBugTable(gameDayColumns(reports, stacks));
  if (!t.rows.length) return undefined;
  return { upstreamBugs: t, upgrades: t.columns.slice(1).map((_, i) => upgradeDelta(t, i, i + 1)) };
}

/** The worst outcome: error > fail > known > pass (pass for no runs; a skipped run is not a failure). */
export function overallOutcome(outcomes: readonly RunOutcome[]): RunOutcome {
  return outcomes.includes("error") ? "error" : outcomes.includes("fail") ? "fail" : outcomes.includes("known") ? "known" : "pass";
}

export function buildSummary(reports: readonly RunReport[], opts: IndexOptions = {}): Summary {
  const link = opts.reportLink ?? ((r: RunReport) => `${r.runId}/report.md`);
  const counts: Summary["counts"] = { total: reports.length, pass: 0, fail: 0, error: 0, known: 0, skipped: 0 };
  // (an outcome another version adds is counted under its own name rather than lost)
  for (const r of reports) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const repeatOf = opts.repeatOf ?? (() => undefined);
  return {
    schemaVersion: 1,
    outcome: overallOutcome(reports.map((r) => r.outcome)),
    counts,
    runs: reports.map((r) => ({
      runId: r.runId,
      scenario: r.scenario.name,
      ...(r.scenario.incident ? { incident: r.scenario.incident } : {}),
      ...(r.scenario.file ? { file: r.scenario.file } : {}),
      outcome: r.outcome,
      ...(r.error ? { error: r.error } : {}),
      ...(r.skipped ? { skipped: r.skipped } : {}),
      versions: r.versions,
      startedAt: r.startedAt,
      durationMs: r.durations.totalMs,
      report: link(r),
      ...(repeatOf(r) !== undefined ? { repeat: repeatOf(r) } : {}),
      failedSteps: r.steps
        .filter((s) => s.outcome !== "pass" && s.outcome !== "skipped")
        .map((s) => ({ index: s.index, id: s.id, text: s.text, ...(s.detail ? { detail: s.detail } : {}) })),
      verdicts: r.verdicts.map((v) => ({ checker: v.checker, ok: v.ok, ...(v.unknown ? { unknown: true } : {}), summary: v.summary })),
      ...(r.knownIssues?.length ? { knownIssues: r.knownIssues.map((k) => ({ id: k.id, showed: k.showed, matched: k.matched })) } : {}),
    })),
    scenarios: aggregateRuns(reports.map((r) => ({ report: r, repeat: repeatOf(r), link: link(r) }))),
    ...(opts.pool ? { pool: opts.pool } : {}),
    ...upstreamBugsOf(reports, opts.stacks),
  };
}

/** Scenarios were repeated: some scenario has more than one run, or a run carries a repeat number. */
export function isRepeated(s: Pick<Summary, "scenarios" | "runs">): boolean {
  return s.scenarios.some((a) => a.runs > 1) || s.runs.some((r) => r.repeat !== undefined);
}

/** Markdown lines for repeated scenarios: pass rate, other outcomes, first failing run, checker failure rates, known issues, figures. */
function repeatedMarkdown(s: Summary): string[] {
  const out: string[] = ["## Per scenario over repeated runs", ""];
  out.push("| scenario | runs | pass rate (95% CI) | other outcomes | first failing run |", "| --- | --- | --- | --- | --- |");
  for (const a of s.scenarios) {
    const others = Object.entries(a.rates)
      .filter(([o]) => o !== "pass")
      .map(([o, r]) => formatRate(o, r, a.runs));
    const first = a.firstFailing ? `[${a.firstFailing.repeat !== undefined ? `run ${a.firstFailing.repeat}` : a.firstFailing.runId}](${encodeURI(a.firstFailing.report)}) (${a.firstFailing.outcome})` : "";
    out.push(`| ${cell(aggregateLabel(a))} | ${a.runs} | ${cell(passRateText(a))} | ${others.map(cell).join("<br>")} | ${first} |`);
  }
  for (const a of s.scenarios) {
    if (!a.figures.length && !a.knownIssues.length && !a.checkers.length) continue;
    out.push("", `### ${aggregateLabel(a)}`, "");
    for (const c of a.checkers) out.push(`- ${c.text}`);
    for (const k of a.knownIssues) out.push(`- known issue ${k.id}: showed in ${k.showed} of ${k.runs} runs`);
    for (const f of a.figures) out.push(`- ${f.checker} ${f.figure}: ${f.text}`);
  }
  out.push("");
  return out;
}

export function renderSummaryMarkdown(reports: readonly RunReport[], opts: IndexOptions = {}): string {
  const s = redactDeep(buildSummary(reports, opts), opts.secrets ?? []);
  const icon: Record<string, string> = { pass: "✅", fail: "❌", error: "⚠️", known: "🔶", skipped: "⏭️" };
  const out: string[] = [];
  out.push(`# ${icon[s.outcome] ?? "❔"} ${opts.title ?? "pgchaos game day"}: ${s.outcome.toUpperCase()}`, "");
  const otherCounts = Object.entries(s.counts).filter(([o]) => !["total", "pass", "fail", "error", "known", "skipped"].includes(o));
  out.push(
    `**${s.counts.total} scenario runs: ${s.counts.pass} passed, ${s.counts.fail} failed, ${s.counts.known} known issues, ${s.counts.error} errored${otherCounts.map(([o, n]) => `, ${n} ${o}`).join("")}.**`,
    "",
  );
  if (s.pool) out.push(`${s.pool.jobs} lab${s.pool.jobs === 1 ? "" : "s"} at a time; wall time ${formatDuration(s.pool.wallMs)}.`, "");
  if (isRepeated(s)) out.push(...repeatedMarkdown(s), "## Runs", "");
  const repeated = isRepeated(s);
  out.push(
    `| outcome | scenario |${repeated ? " run |" : ""} incident | duration | what went wrong | report |`,
    `| --- | --- |${repeated ? " --- |" : ""} --- | --- | --- | --- |`,
  );
  for (const r of s.runs) {
    const wrong = [
      ...(r.error ? [`error: ${r.error}`] : []),
      ...(r.skipped ? [`skipped: ${r.skipped}`] : []),
      ...r.failedSteps.map((f) => `step ${f.index + 1} ${f.text}${f.detail ? `: ${f.detail}` : ""}`),
      ...r.verdicts.filter((v) => !v.ok).map((v) => `${v.checker}: ${v.summary}`),
    ];
    out.push(
      `| ${icon[r.outcome] ?? "❔"} ${r.outcome} | ${cell(r.scenario)} |${repeated ? ` ${r.repeat ?? ""} |` : ""} ${cell(r.incident ?? "")} | ${formatDuration(r.durationMs)} | ` +
        `${wrong.map(cell).join("<br>")} | [report](${encodeURI(r.report)}) |`,
    );
  }
  if (s.upstreamBugs) {
    out.push("", ...renderUpstreamBugsMarkdown(s.upstreamBugs));
    for (const d of s.upgrades ?? []) out.push(...renderUpgradeMarkdown(d));
  }
  out.push("", "Combined JUnit: `junit.xml`. Machine-readable summary: `summary.json`.", "");
  return redact(out.join("\n"), opts.secrets ?? []);
}

export interface WrittenIndex {
  summaryMarkdown: string;
  summaryJson: string;
  junit: string;
  indexHtml: string;
}

/** A game day's index in `dir`: summary.md, summary.json, a combined junit.xml and index.html (links to each report.html), atomically. */
export async function writeIndex(dir: string, reports: readonly RunReport[], opts: IndexOptions = {}): Promise<WrittenIndex> {
  const secrets = opts.secrets ?? [];
  await mkdir(dir, { recursive: true });
  const paths = {
    summaryMarkdown: join(dir, "summary.md"),
    summaryJson: join(dir, "summary.json"),
    junit: join(dir, "junit.xml"),
    indexHtml: join(dir, "index.html"),
  };
  await writeFileAtomic(paths.summaryMarkdown, renderSummaryMarkdown(reports, opts));
  const summary = buildSummary(reports, opts);
  await writeFileAtomic(paths.summaryJson, `${stableStringify(redactDeep(summary, secrets))}\n`);
  // Repeated runs of a scenario are distinct test cases: CI tools merge cases of equal names.
  const repeatOf = opts.repeatOf;
  const cases = repeatOf
    ? reports.map((r) => (repeatOf(r) === undefined ? r : { ...r, scenario: { ...r.scenario, name: `${r.scenario.name} #${repeatOf(r)}` } }))
    : reports;
  await writeFileAtomic(paths.junit, renderJUnit(cases, { secrets }));
  await writeFileAtomic(
    paths.indexHtml,
    renderIndexHtml(reports, { ...opts, scenarios: summary.scenarios, ...(summary.upstreamBugs ? { upstreamBugs: summary.upstreamBugs, upgrades: summary.upgrades ?? [] } : {}) }),
  );
  return paths;
}
