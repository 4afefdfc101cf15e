import path from "node:path";
import { mergeGameDays } from "../../gameday/merge.js";
import { isExploreOut, mergeExplorations } from "../../explore/merge.js";
import { findingDir } from "../../explore/findings.js";
import { newRunId } from "../../lab/run-id.js";
import { UserFacingError } from "../../util/errors.js";

export interface MergeCommandOptions {
  dirs: string[];
  out?: string;
}

/**
 * `pgchaos merge DIR... [--out DIR]`: game-day folders, or the OUTs of one exploration's shards.
 * Exit code as the game day's (0 all passed, 1 a failure, 2 an error) or as explore's (0 no
 * finding, 1 a finding, 2 bad input).
 */
export async function mergeCommand(o: MergeCommandOptions, out: (s: string) => void): Promise<number> {
  const dest = o.out ?? path.join("reports", `merged-${newRunId()}`);
  const explore = await Promise.all(o.dirs.map(isExploreOut));
  if (explore.some(Boolean)) {
    const others = o.dirs.filter((_, i) => !explore[i]);
    if (others.length)
      throw new UserFacingError(
        `merge takes game-day folders or the OUTs of one exploration, not both: ${o.dirs.filter((_, i) => explore[i]).join(", ")} ${explore.filter(Boolean).length === 1 ? "is an explore OUT" : "are explore OUTs"} (explore-state.json), ${others.join(", ")} ${others.length === 1 ? "is" : "are"} not`,
      );
    return mergeExploreCommand(o.dirs, dest, out);
  }
  const { reports, written } = await mergeGameDays(o.dirs, dest);
  out(`merged ${reports.length} run(s) of ${new Set(reports.map((r) => r.scenario.name)).size} scenario(s) from ${o.dirs.length} folder(s)`);
  out(`summary: ${written.summaryMarkdown}   index: ${written.indexHtml}   junit: ${written.junit}`);
  if (reports.some((r) => r.outcome === "error")) return 2;
  return reports.some((r) => r.outcome === "fail") ? 1 : 0;
}

async function mergeExploreCommand(dirs: string[], dest: string, out: (s: string) => void): Promise<number> {
  const m = await mergeExplorations(dirs, dest);
  const shards = m.outs.map((x) => x.shard ?? x.dir).join(", ");
  const explained = Object.values(m.explained).reduce((a, b) => a + b, 0);
  const several = m.findings.filter((f) => f.mergedFrom).length;
  out(
    `merged exploration seed ${m.seed} from ${m.outs.length} OUT(s) (${shards}): ${m.schedules} schedule(s), ${m.labRuns} lab run(s), ${m.findings.length} finding(s)${several ? ` (${several} found by more than one shard)` : ""}, ${explained} explained by known issues`,
  );
  for (const n of m.notes) out(`note: ${n}`);
  out(`findings: ${m.findingsMarkdown}; runs: ${m.index.indexHtml}`);
  for (const f of m.findings) out(`  ${path.join(dest, "findings", findingDir(f))} — ${f.schedules.length} schedule(s)`);
  // As explore's own exit code: 1 when the exploration holds a finding.
  return m.findings.length ? 1 : 0;
}
