import { copyFile, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { readJournal, JOURNAL_FILE } from "../../report/journal.js";
import { writeIndex, writeReports } from "../../report/write.js";
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
    const pool = await recordedPool(o.path);
    await writeIndex(dir, reports, { reportLink: (r) => `${names[reports.indexOf(r)]}/report.md`, repeatOf, ...(pool ? { pool } : {}) });
    out(`index: ${path.join(dir, "summary.md")}`);
  }
  return gameDayExitCode(reports, { strict: o.strict });
}

/** The game day's own `pool` (labs at a time, wall time) from the summary.json it wrote, if any. */
async function recordedPool(dir: string): Promise<{ jobs: number; wallMs: number } | undefined> {
  try {
    const p = (JSON.parse(await readFile(path.join(dir, "summary.json"), "utf8")) as { pool?: { jobs?: unknown; wallMs?: unknown } }).pool;
    return typeof p?.jobs === "number" && typeof p.wallMs === "number" ? { jobs: p.jobs, wallMs: p.wallMs } : undefined;
  } catch {
    return undefined;
  }
}
