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
  failedSteps: { index: number; id: string; text: string; detail?: string }[];
  verdicts: { checker: string; ok: boolean; unknown?: boolean; summary: string }[];
}

export interface Summary {
  schemaVersion: 1;
  outcome: RunOutcome;
  counts: Record<RunOutcome, number> & { total: number };
  runs: SummaryRun[];
}

/** The worst outcome: error > fail > pass (pass for no runs; a skipped run is not a failure). */
export function overallOutcome(outcomes: readonly RunOutcome[]): RunOutcome {
  return outcomes.includes("error") ? "error" : outcomes.includes("fail") ? "fail" : "pass";
}

export function buildSummary(reports: readonly RunReport[], opts: IndexOptions = {}): Summary {
  const link = opts.reportLink ?? ((r: RunReport) => `${r.runId}/report.md`);
  const counts = { total: reports.length, pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of reports) counts[r.outcome]++;
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
      failedSteps: r.steps
        .filter((s) => s.outcome !== "pass" && s.outcome !== "skipped")
        .map((s) => ({ index: s.index, id: s.id, text: s.text, ...(s.detail ? { detail: s.detail } : {}) })),
      verdicts: r.verdicts.map((v) => ({ checker: v.checker, ok: v.ok, ...(v.unknown ? { unknown: true } : {}), summary: v.summary })),
    })),
  };
}

export function renderSummaryMarkdown(reports: readonly RunReport[], opts: IndexOptions = {}): string {
  const s = redactDeep(buildSummary(reports, opts), opts.secrets ?? []);
  const icon: Record<RunOutcome, string> = { pass: "✅", fail: "❌", error: "⚠️", skipped: "⏭️" };
  const out: string[] = [];
  out.push(`# ${icon[s.outcome]} ${opts.title ?? "pgchaos game day"}: ${s.outcome.toUpperCase()}`, "");
  out.push(`**${s.counts.total} scenario runs: ${s.counts.pass} passed, ${s.counts.fail} failed, ${s.counts.error} errored${s.counts.skipped ? `, ${s.counts.skipped} skipped` : ""}.**`, "");
  out.push("| outcome | scenario | incident | duration | what went wrong | report |", "| --- | --- | --- | --- | --- | --- |");
  for (const r of s.runs) {
    const wrong = [
      ...(r.error ? [`error: ${r.error}`] : []),
      ...(r.skipped ? [`skipped: ${r.skipped}`] : []),
      ...r.failedSteps.map((f) => `step ${f.index + 1} ${f.text}${f.detail ? `: ${f.detail}` : ""}`),
      ...r.verdicts.filter((v) => !v.ok).map((v) => `${v.checker}: ${v.summary}`),
    ];
    out.push(
      `| ${icon[r.outcome]} ${r.outcome} | ${cell(r.scenario)} | ${cell(r.incident ?? "")} | ${formatDuration(r.durationMs)} | ` +
        `${wrong.map(cell).join("<br>")} | [report](${encodeURI(r.report)}) |`,
    );
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
  await writeFileAtomic(paths.summaryJson, `${stableStringify(redactDeep(buildSummary(reports, opts), secrets))}\n`);
  await writeFileAtomic(paths.junit, renderJUnit(reports, { secrets }));
  await writeFileAtomic(paths.indexHtml, renderIndexHtml(reports, opts));
  return paths;
}
