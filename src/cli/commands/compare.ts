import path from "node:path";
import { writeFile } from "node:fs/promises";
import { compareReports, loadReports, renderComparisonMarkdown } from "../../compare/compare.js";

/**
 * `pgchaos compare DIR_A DIR_B [--out DIR]`: two earlier game days side by side (report.json
 * files only). Prints the markdown; with --out also writes compare.md and compare.json there.
 * When the reports list known issues, it ends with the upgrade table and what going from the
 * first game day to the second removes, keeps and brings (report/upstream-bugs.ts).
 * Exit 1 when any scenario's outcome differs, else 0.
 */
export async function compareCommand(dirs: string[], o: { out?: string }, out: (s: string) => void): Promise<number> {
  const sides = [];
  for (const d of dirs) sides.push({ label: path.basename(path.resolve(d)), reports: await loadReports(d) });
  const c = compareReports(sides);
  const md = renderComparisonMarkdown(c, `pgchaos comparison: ${sides.map((s) => s.label).join(" vs ")}`);
  out(md);
  if (o.out) {
    await writeFile(path.join(o.out, "compare.md"), md);
    await writeFile(path.join(o.out, "compare.json"), JSON.stringify(c, null, 2) + "\n");
  }
  return c.rows.some((r) => r.differs) ? 1 : 0;
}
