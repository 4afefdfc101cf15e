import { readFile } from "node:fs/promises";
import path from "node:path";
import type { RunReport } from "../report/model.js";
import type { WrittenIndex } from "../report/write.js";
import { esc } from "../report/html-util.js";
import { redactDeep } from "../report/redact.js";
import { stableStringify } from "../report/json.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { compareReports, renderComparisonMarkdown, type ComparedCell, type Comparison } from "../compare/compare.js";
import { stackByName } from "../stacks/stacks.js";
import { UserFacingError } from "../util/errors.js";

/**
 * A matrix game day: every scenario on every named stack (`run --stack bookworm,trixie`), and one
 * comparison of the stacks written into the game day's index (summary.md, summary.json,
 * index.html). The grid lives here, apart from the index's own rendering.
 */

/** The stacks of `--stack a,b[,c]`, each known (a clear error before any container starts), none twice. */
export function parseStackList(v: string): string[] {
  const names = v.split(",").map((s) => s.trim());
  if (names.some((n) => !n)) throw new UserFacingError(`--stack: an empty stack name in '${v}'; give NAME or NAME,NAME,... (e.g. bookworm,trixie)`);
  for (const n of names) stackByName(n);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UserFacingError(`--stack: '${twice}' is given twice`);
  return names;
}

/** The comparison of a matrix game day's runs, one side per stack in the order given. */
export function matrixComparison(stacks: readonly string[], runs: readonly { stack?: string; report: RunReport }[]): Comparison {
  return compareReports(stacks.map((s) => ({ label: s, reports: runs.filter((r) => r.stack === s).map((r) => r.report) })));
}

const CLASS: Record<string, string> = { pass: "pass", fail: "fail", error: "error", known: "known", skipped: "skipped" };
const sec = (ms: number | undefined) => (ms === undefined ? undefined : `${(ms / 1000).toFixed(1)} s`);

function cellHtml(c: ComparedCell | undefined): string {
  if (!c) return `<td class="none">not run</td>`;
  const figs: string[] = [];
  const put = (label: string, v: string | undefined) => v !== undefined && figs.push(`${esc(label)} ${esc(v)}`);
  put("longest unavailable", sec(c.longestUnavailableMs));
  put("RTO direct", sec(c.directLongestMs));
  put("RTO via HAProxy", sec(c.haproxyLongestMs));
  put("lost writes", c.lostWrites === undefined ? undefined : String(c.lostWrites));
  put("two primaries", c.primaryOverlapMs ? sec(c.primaryOverlapMs) : undefined);
  const why = [c.reason, ...(c.explanations ?? [])].filter((x): x is string => !!x).map((x) => esc(x.slice(0, 300)));
  return `<td class="${CLASS[c.outcome] ?? ""}"><b>${esc(c.outcome)}</b>${figs.length ? `<br><small>${figs.join("<br>")}</small>` : ""}${why.length ? `<details><summary>why</summary><small>${why.join("<br>")}</small></details>` : ""}</td>`;
}

/** The grid: a row per scenario, a column per stack; rows whose outcome differs are marked, their differing steps listed. */
export function renderMatrixHtml(c: Comparison): string {
  const head = c.sides.map((s) => `<th>${esc(s.label)}<br><small>${esc(s.versions)}</small></th>`).join("");
  const rows = c.rows
    .map((r) => {
      const steps = r.steps.length
        ? `<details><summary>${r.steps.length} step(s) differ</summary><ul>${r.steps
            .map(
              (d) =>
                `<li>${esc(d.step)}<ul>${d.sides.map((s, i) => `<li>${esc(c.sides[i].label)}: ${s ? `${esc(s.outcome)}${s.detail ? `: ${esc(s.detail.slice(0, 400))}` : ""}` : "not run"}</li>`).join("")}</ul></li>`,
            )
            .join("")}</ul></details>`
        : "";
      return `<tr${r.differs ? ' class="differs"' : ""}><th scope="row">${esc(r.scenario)}${steps}</th>${r.cells.map(cellHtml).join("")}</tr>`;
    })
    .join("\n");
  return [
    `<section id="stacks-matrix"><h2>Stacks compared</h2>`,
    `<style>#stacks-matrix table{border-collapse:collapse}#stacks-matrix td,#stacks-matrix th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}`,
    `#stacks-matrix td.pass{background:#e6f4ea}#stacks-matrix td.fail{background:#fce8e6}#stacks-matrix td.error{background:#fef7e0}#stacks-matrix td.known{background:#fff0d9}#stacks-matrix td.skipped,#stacks-matrix td.none{background:#f1f3f4}`,
    `#stacks-matrix tr.differs th[scope=row]{border-left:4px solid #d93025}</style>`,
    `<p>${c.rows.filter((r) => r.differs).length} of ${c.rows.length} scenario(s) end differently between stacks (marked).</p>`,
    `<table><thead><tr><th>scenario</th>${head}</tr></thead><tbody>`,
    rows,
    `</tbody></table></section>`,
  ].join("\n");
}

/**
 * Adds the comparison to a written game-day index: a section in summary.md, a `comparison` key
 * in summary.json (existing keys keep their meaning), the grid in index.html, and compare.md /
 * compare.json beside them (the files `pgchaos compare --out` writes).
 */
export async function writeMatrix(dir: string, written: WrittenIndex, c: Comparison, secrets: readonly string[] = []): Promise<void> {
  const safe = redactDeep(c, [...secrets]);
  // summary.md has the upgrade table already (report/write.ts); the comparison adds the upgrades.
  const md = renderComparisonMarkdown(safe, "Stacks compared", { bugTable: false }).replace(/^# /, "## ");
  await writeFileAtomic(written.summaryMarkdown, `${(await readFile(written.summaryMarkdown, "utf8")).trimEnd()}\n\n${md}`);
  const summary = JSON.parse(await readFile(written.summaryJson, "utf8")) as Record<string, unknown>;
  await writeFileAtomic(written.summaryJson, `${stableStringify({ ...summary, comparison: safe })}\n`);
  const html = await readFile(written.indexHtml, "utf8");
  const grid = renderMatrixHtml(safe);
  const at = html.lastIndexOf("</body>");
  await writeFileAtomic(written.indexHtml, at >= 0 ? `${html.slice(0, at)}${grid}\n${html.slice(at)}` : `${html}\n${grid}\n`);
  await writeFileAtomic(path.join(dir, "compare.md"), renderComparisonMarkdown(safe, "pgchaos comparison of stacks"));
  await writeFileAtomic(path.join(dir, "compare.json"), `${JSON.stringify(safe, null, 2)}\n`);
}
