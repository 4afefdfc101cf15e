import path from "node:path";
import { mergeGameDays } from "../../gameday/merge.js";
import { newRunId } from "../../lab/run-id.js";

export interface MergeCommandOptions {
  dirs: string[];
  out?: string;
}

/** `pgchaos merge DIR... [--out DIR]`. Exit code as the game day's: 0 all passed, 1 a failure, 2 an error. */
export async function mergeCommand(o: MergeCommandOptions, out: (s: string) => void): Promise<number> {
  const dest = o.out ?? path.join("reports", `merged-${newRunId()}`);
  const { reports, written } = await mergeGameDays(o.dirs, dest);
  out(`merged ${reports.length} run(s) of ${new Set(reports.map((r) => r.scenario.name)).size} scenario(s) from ${o.dirs.length} folder(s)`);
  out(`summary: ${written.summaryMarkdown}   index: ${written.indexHtml}   junit: ${written.junit}`);
  if (reports.some((r) => r.outcome === "error")) return 2;
  return reports.some((r) => r.outcome === "fail") ? 1 : 0;
}
