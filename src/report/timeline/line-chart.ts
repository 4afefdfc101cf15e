/** Shared drawing for the signal charts (DCS lag column, clock offsets): a titled chart of per-node lines, solid or dashed. */
import { attrs, n1 } from "../html-util.js";
import { type Canvas, CHART_H, L, PW, title, yTick } from "./canvas.js";

export interface ChartLine {
  node: string;
  /** "measured" lines are solid; "declared" or "published" lines dashed. */
  style: "solid" | "dashed";
  cls: string;
  points: { t: number; v: number }[];
  /** Break the line where two points are further apart than this (ms); step lines: never. */
  gapMs?: number;
  /** Draw as steps (the value holds until the next point). */
  step?: boolean;
  tip: string;
}

export interface ChartSpec {
  cls: string;
  /** Lane label in the gutter. */
  label: string;
  /** Title with the legend (HTML-escaped by the caller). */
  legend: string;
  /** Value → y within [top, top + CHART_H], and the ticks to draw. */
  scale(top: number): { y(v: number): number; ticks: { v: number; label: string }[] };
}

export function drawLineChart(c: Canvas, spec: ChartSpec, lines: ChartLine[]): void {
  const { x } = c;
  const top = c.y + 26;
  c.bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
  const { y, ticks } = spec.scale(top);
  const g: string[] = [`<g class="chart ${spec.cls}">`];
  g.push(`<text class="chart-title" x="${L + 4}" y="${c.y + 10}">${spec.legend}</text>`);
  g.push(`<text class="lane-label" x="${L - 10}" y="${top + 12}" text-anchor="end">${spec.label}</text>`);
  for (const t of ticks) {
    g.push(yTick(y(t.v), t.label));
    g.push(`<line class="hgrid" x1="${L}" x2="${L + PW}" y1="${n1(y(t.v))}" y2="${n1(y(t.v))}"/>`);
  }
  for (const line of lines) {
    let d = "";
    let prevT = -Infinity;
    let prevY = 0;
    for (const p of line.points) {
      const py = n1(y(p.v));
      if (line.step && d) d += `L${n1(x(p.t))} ${prevY}`;
      d += `${!line.step && p.t - prevT > (line.gapMs ?? Infinity) ? "M" : d ? "L" : "M"}${n1(x(p.t))} ${py}`;
      prevT = p.t;
      prevY = Number(py);
    }
    if (!d) continue;
    g.push(
      `<path${attrs({ class: `chart-line ${line.cls} ${line.style}`, "data-node": line.node, "data-points": line.points.length })} d="${d}" stroke="${c.colorOf(line.node)}">` +
        title(line.tip) +
        `</path>`,
    );
  }
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y = top + CHART_H + 14;
}
