/**
 * The chart that compares runs on the game-day index (repeated runs, `--repeat N`, and matrix
 * runs, `--stack a,b`): per scenario, one small bar chart per checker figure, a bar per run
 * (labelled with its run number, and its stack when the runs span several), as inline SVG.
 * Reads the scenario aggregates only (aggregate.ts).
 */
import { aggregateLabel, type FigureDistribution, type ScenarioAggregate } from "./aggregate.js";
import { attrs, esc, n1, niceMax, truncate } from "./html-util.js";

const ROW_H = 46;
const LABEL_W = 300;
const BAR_AREA_H = 30;

function show(figure: string, x: number): string {
  return /Ms$/.test(figure) ? `${Number((x / 1000).toFixed(1))} s` : String(Math.round(x * 100) / 100);
}

/**
 * Figures worth comparing: the runs differ. One that is the same in every run (3 nodes, a 1 s
 * threshold, 0 lost writes) has nothing to compare and stays in the figures' text list only;
 * drawn, it buried the few that differed (43 rows for a --repeat 10 of one scenario).
 */
function comparable(f: FigureDistribution): boolean {
  return f.values.length > 1 && new Set(f.values).size > 1;
}

/** One scenario's figures as an SVG (empty string when it has fewer than two runs or nothing to compare). */
export function renderCompareChart(a: ScenarioAggregate): string {
  const figures = a.figures.filter(comparable);
  if (a.runs < 2 || !figures.length) return "";
  const barW = Math.max(6, Math.min(28, Math.floor(760 / a.runs) - 3));
  const width = LABEL_W + a.runs * (barW + 3) + 70;
  const height = figures.length * ROW_H + 18;
  const stacks = new Set(figures.flatMap((f) => (f.runs ?? []).map((r) => r.stack).filter(Boolean)));
  const g: string[] = [];
  figures.forEach((f, i) => {
    const top = 8 + i * ROW_H;
    const base = top + BAR_AREA_H;
    const max = niceMax(Math.max(...f.values, 1e-9));
    g.push(`<g${attrs({ class: "compare-figure", "data-checker": f.checker, "data-figure": f.figure })}>`);
    g.push(`<text class="cmp-label" x="0" y="${top + 14}">${esc(f.checker)}</text><text class="cmp-sublabel" x="0" y="${top + 27}">${esc(f.figure)} (max ${esc(show(f.figure, max))})</text>`);
    g.push(`<line class="baseline" x1="${LABEL_W - 4}" x2="${width - 60}" y1="${base}" y2="${base}"/>`);
    f.values.forEach((v, j) => {
      const run = f.runs?.[j];
      const runNo = run?.run ?? j + 1;
      const bx = LABEL_W + (runNo - 1) * (barW + 3);
      const h = v > 0 ? Math.max(1.5, (v / max) * BAR_AREA_H) : 0;
      const label = `${stacks.size > 1 && run?.stack ? `${run.stack} ` : ""}run ${runNo}`;
      g.push(
        `<g${attrs({ class: `cmp-bar${v === 0 ? " zero" : ""}`, "data-run": runNo, "data-value": v, "data-stack": run?.stack })}>` +
          `<rect x="${bx}" y="${n1(base - h)}" width="${barW}" height="${n1(h)}"/>` +
          (v === 0 ? `<rect class="zero-mark" x="${bx}" y="${base - 1.5}" width="${barW}" height="1.5"/>` : "") +
          `<title>${esc(`${aggregateLabel(a)}, ${label}: ${f.checker} ${f.figure} = ${show(f.figure, v)}`)}</title></g>`,
      );
      if (i === figures.length - 1 && (a.runs <= 30 || runNo % 5 === 0))
        g.push(`<text class="cmp-run" x="${n1(bx + barW / 2)}" y="${base + 12}" text-anchor="middle">${runNo}</text>`);
    });
    g.push(`<text class="cmp-value" x="${width - 56}" y="${base}">${esc(truncate(f.text, 60))}</text>`);
    g.push(`</g>`);
  });
  const stackNote = stacks.size > 1 ? ` · stacks: ${[...stacks].join(", ")}` : "";
  return (
    `<figure class="compare" data-scenario="${esc(a.scenario)}"${a.stack !== undefined ? ` data-stack="${esc(a.stack)}"` : ""}><figcaption><strong>${esc(aggregateLabel(a))}</strong>: each checker's figure per run (bar per run, numbered${esc(stackNote)})</figcaption>` +
    `<svg${attrs({ xmlns: "http://www.w3.org/2000/svg", class: "compare-chart", viewBox: `0 0 ${width + 200} ${height}`, width: width + 200, height, role: "img", "aria-label": `Figures per run of ${aggregateLabel(a)}` })}>${g.join("")}</svg></figure>`
  );
}

/** The index's "runs compared" section, or "" when no scenario has two runs with figures. */
export function compareSection(scenarios: readonly ScenarioAggregate[]): string {
  const charts = scenarios.map(renderCompareChart).filter(Boolean);
  if (!charts.length) return "";
  return `<section id="compare"><h2>Runs compared</h2>${charts.join("\n")}</section>`;
}
