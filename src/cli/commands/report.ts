import { copyFile, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { readJournal, JOURNAL_FILE } from "../../report/journal.js";
import { writeIndex, writeReports } from "../../report/write.js";
import { matrixComparison, writeMatrix } from "../../gameday/matrix.js";
import type { RunReport } from "../../report/model.js";
import { recordFromJournal, reportFromRecord } from "../../runner/run-record.js";
import { gameDayExitCode } from "../../runner/exit-code.js";
import { loadKnownIssues } from "../../known-issues/load.js";
import type { KnownIssue } from "../../known-issues/schema.js";
import { UserFacingError, errorText } from "../../util/errors.js";

export interface ReportCommandOptions {
  /** A journal.jsonl, a run's directory (holding one) or a game day's directory (runs in sub-directories, or in <scenario>/run-NN/ for repeated runs). */
  path: string;
  /** Where to write (default: next to each journal, replacing the reports there). */
  reportsDir?: string;
  strict?: boolean;
  /** A shared known-issues file to judge against instead of the recorded one (data learnt since the run). */
  knownIssuesFile?: string;
}

const isFile = async (p: string) => (await stat(p).catch(() => undefined))?.isFile() ?? false;

/** The journals to re-render: [name of the run's directory, journal path]; `gameDay` when PATH holds runs. */
async function findJournals(p: string): Promise<{ gameDay: boolean; journals: [string, string][] }> {
  const st = await stat(p).catch(() => undefined);
  if (!st) throw new UserFacingError(`pgchaos report: ${p}: no such file or directory`);
  if (st.isFile()) return { gameDay: false, journals: [[path.basename(path.dirname(path.resolve(p))), p]] };
  if (await isFile(path.join(p, JOURNAL_FILE))) return { gameDay: false, journals: [[path.basename(path.resolve(p)), path.join(p, JOURNAL_FILE)]] };
  const journals: [string, string][] = [];
  const subDirs = async (d: string) => (await readdir(d, { withFileTypes: true })).filter((x) => x.isDirectory()).map((x) => x.name).sort();
  for (const d of await subDirs(p)) {
    const j = path.join(p, d, JOURNAL_FILE);
    if (await isFile(j)) {
      journals.push([d, j]);
      continue;
    }
    // A repeated game day keeps each scenario's runs one level further down: <scenario>/run-NN/.
    for (const r of await subDirs(path.join(p, d))) {
      const rj = path.join(p, d, r, JOURNAL_FILE);
      if (await isFile(rj)) journals.push([path.join(d, r), rj]);
    }
  }
  if (!journals.length) throw new UserFacingError(`pgchaos report: ${p}: no ${JOURNAL_FILE} in it, in its sub-directories or in theirs`);
  return { gameDay: true, journals };
}

/**
 * `pgchaos report PATH`: re-judges and re-renders reports from journals alone (the checkers and
 * renderers of this pgchaos, the run's own scenario, options and known issues from the journal).
 * For a game day directory every run is re-rendered and the index written again.
 */
export async function reportCommand(o: ReportCommandOptions, out: (s: string) => void): Promise<number> {
  const { gameDay, journals } = await findJournals(o.path);
  let shared: KnownIssue[] | undefined;
  if (o.knownIssuesFile) {
    try {
      shared = loadKnownIssues(o.knownIssuesFile);
    } catch (e) {
      throw new UserFacingError(`pgchaos report: ${errorText(e)}`);
    }
  }
  const reports: RunReport[] = [];
  const names: string[] = [];
  for (const [name, file] of journals) {
    let report: RunReport;
    try {
      const rec = recordFromJournal(readJournal(file), file);
      // The scenario's own entries (no `scenario:`) stay; the shared file's are replaced.
      if (shared) rec.meta.knownIssues = [...rec.meta.knownIssues.filter((k) => k.scenario === undefined), ...shared];
      report = reportFromRecord(rec);
    } catch (e) {
      throw new UserFacingError(`pgchaos report: ${errorText(e)}`);
    }
    const dir = o.reportsDir ? (gameDay ? path.join(o.reportsDir, name) : o.reportsDir) : path.dirname(file);
    await writeReports(dir, report);
    if (path.resolve(dir, JOURNAL_FILE) !== path.resolve(file)) await copyFile(file, path.join(dir, JOURNAL_FILE));
    reports.push(report);
    names.push(name);
    out(`${report.outcome.toUpperCase().padEnd(5)} ${report.scenario.name} (${report.runId}) -> ${path.join(dir, "report.md")}`);
  }
  if (gameDay) {
    const dir = o.reportsDir ?? o.path;
    // Not re-judged, so taken as the game day recorded them: the run number of a repeated run is its
    // run-NN folder, and how the game day ran (labs at a time, wall time) is in its summary.json.
    const repeatOf = (r: RunReport) => {
      const m = /(?:^|[\\/])run-(\d+)$/.exec(names[reports.indexOf(r)] ?? "");
      return m ? Number(m[1]) : undefined;
    };
    const recorded = await recordedSummary(o.path);
    const pool = recorded.pool;
    // A matrix game day (runs on several stacks): its stacks in the order it was run with, and its comparison again.
    const ran = [...new Set(reports.map((r) => r.versions.stack).filter((x): x is string => x !== undefined))];
    const stacks = ran.length > 1 ? [...(recorded.stacks ?? []).filter((x) => ran.includes(x)), ...ran.filter((x) => !recorded.stacks?.includes(x))] : undefined;
    const written = await writeIndex(dir, reports, { reportLink: (r) => `${names[reports.indexOf(r)]}/report.md`, repeatOf, ...(pool ? { pool } : {}), ...(stacks ? { stacks } : {}) });
    if (stacks) await writeMatrix(dir, written, matrixComparison(stacks, reports.map((r) => ({ ...(r.versions.stack ? { stack: r.versions.stack } : {}), report: r }))));
    out(`index: ${path.join(dir, "summary.md")}`);
  }
  return gameDayExitCode(reports, { strict: o.strict });
}

/** What the game day's own summary.json recorded: how it ran (labs at a time, wall time) and, for a matrix, its stacks in order. */
async function recordedSummary(dir: string): Promise<{ pool?: { jobs: number; wallMs: number }; stacks?: string[] }> {
  try {
    const s = JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as { pool?: { jobs?: unknown; wallMs?: unknown }; comparison?: { sides?: { label?: unknown }[] } };
    const p = s.pool;
    const stacks = s.comparison?.sides?.map((x) => x.label).filter((x): x is string => typeof x === "string");
    return {
      ...(typeof p?.jobs === "number" && typeof p.wallMs === "number" ? { pool: { jobs: p.jobs, wallMs: p.wallMs } } : {}),
      ...(stacks?.length ? { stacks } : {}),
    };
  } catch {
    return {};
  }
}
