import path from "node:path";
import { readFile, stat } from "node:fs/promises";
import type { RunReport } from "../report/model.js";
import { writeIndex, type Summary, type WrittenIndex } from "../report/write.js";
import { UserFacingError } from "../util/errors.js";

export interface MergedGameDay {
  reports: RunReport[];
  written: WrittenIndex;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new UserFacingError(`${file}: missing; ${what}`);
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserFacingError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

interface LoadedRun {
  report: RunReport;
  /** report.md of the run, as a path from the current directory. */
  reportPath: string;
  repeat?: number;
}

async function loadGameDay(dir: string): Promise<LoadedRun[]> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserFacingError(`${dir}: no such folder; merge takes game-day folders (reports/<game-day id>/ as pgchaos run writes them)`);
  const summary = (await readJson(
    path.join(dir, "summary.json"),
    `${dir} is not a game-day folder (pgchaos run writes summary.json into reports/<game-day id>/; give that folder, not reports/ or a scenario's folder)`,
  )) as Partial<Summary>;
  if (summary?.schemaVersion !== 1 || !Array.isArray(summary.runs))
    throw new UserFacingError(`${path.join(dir, "summary.json")}: not a pgchaos game-day summary (expected schemaVersion 1 and a list of runs)`);
  const runs: LoadedRun[] = [];
  for (const run of summary.runs) {
    if (typeof run?.report !== "string") throw new UserFacingError(`${path.join(dir, "summary.json")}: a run without its report path`);
    const reportPath = path.join(dir, run.report);
    const report = (await readJson(
      path.join(path.dirname(reportPath), "report.json"),
      `summary.json of ${dir} lists run ${run.runId ?? "?"} of ${run.scenario ?? "?"} there`,
    )) as RunReport;
    if (report?.schemaVersion !== 1 || typeof report.scenario?.name !== "string" || typeof report.outcome !== "string")
      throw new UserFacingError(`${path.join(path.dirname(reportPath), "report.json")}: not a pgchaos run report (expected schemaVersion 1, scenario and outcome)`);
    runs.push({ report, reportPath, ...(typeof run.repeat === "number" ? { repeat: run.repeat } : {}) });
  }
  return runs;
}

/**
 * One game-day index (summary.md, summary.json, junit.xml, index.html) in `out` over the runs
 * of several game days, typically the `--shard I/N` runs of several CI runners. Everything
 * comes from each folder's summary.json (which runs, their repeat numbers) and the runs'
 * report.json files; links in the merged index point to the original report folders. A
 * scenario may come from one folder only: shards never overlap, and two game days that both
 * ran a scenario are not shards of one.
 */
export async function mergeGameDays(dirs: readonly string[], out: string): Promise<MergedGameDay> {
  const resolved = dirs.map((d) => path.resolve(d));
  const twice = resolved.find((d, i) => resolved.indexOf(d) !== i);
  if (twice) throw new UserFacingError(`${twice} is given twice; name each game-day folder once`);
  const owner = new Map<string, string>();
  const all: LoadedRun[] = [];
  for (const dir of dirs) {
    const runs = await loadGameDay(dir);
    for (const name of new Set(runs.map((r) => r.report.scenario.name))) {
      const other = owner.get(name);
      if (other !== undefined)
        throw new UserFacingError(`scenario '${name}' is in both ${other} and ${dir}; merge combines shards of one game day, in which each scenario ran in one folder only`);
      owner.set(name, dir);
    }
    all.push(...runs);
  }
  const byReport = new Map(all.map((r) => [r.report, r]));
  const written = await writeIndex(
    out,
    all.map((r) => r.report),
    {
      reportLink: (r) => path.relative(out, byReport.get(r)!.reportPath).split(path.sep).join("/"),
      ...(all.some((r) => r.repeat !== undefined) ? { repeatOf: (r: RunReport) => byReport.get(r)!.repeat } : {}),
      title: `pgchaos game day (merged from ${dirs.length} folder${dirs.length === 1 ? "" : "s"})`,
    },
  );
  return { reports: all.map((r) => r.report), written };
}
