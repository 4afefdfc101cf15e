/** Write latency chart (invocation → completion, log scale), one dot per write merged per pixel. Reads data.writes. */
import { attrs, formatMs, n1 } from "../html-util.js";
import { type Canvas, type LaneModule, CHART_H, L, PW, title, yTick } from "./canvas.js";

export const latencyChart: LaneModule = {
  name: "latency",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { x, data } = c;
  if (!data.writes.length) return;
  const top = c.y + 26;
  c.bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
  const H = CHART_H;
  const maxLat = data.writes.reduce((m, w) => Math.max(m, w.tEnd - w.t), 1);
  const decades = Math.max(2, Math.ceil(Math.log10(Math.max(maxLat, 10))));
  const ly = (ms: number) => top + H - (Math.log10(Math.max(1, ms)) / decades) * H;
  const g: string[] = [`<g class="chart latency">`];
  g.push(
    `<text class="chart-title" x="${L + 4}" y="${c.y + 10}">Write latency (invocation → completion, log scale): <tspan class="c-ok">● ok</tspan> · <tspan class="c-fail">● failed</tspan> · <tspan class="c-unknown">● unknown</tspan></text>`,
  );
  g.push(`<text class="lane-label" x="${L - 10}" y="${top + 12}" text-anchor="end">latency</text>`);
  for (let d = 0; d <= decades; d++) {
    const ms = 10 ** d;
    g.push(yTick(ly(ms), ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`));
    g.push(`<line class="hgrid" x1="${L}" x2="${L + PW}" y1="${n1(ly(ms))}" y2="${n1(ly(ms))}"/>`);
  }
  for (const outcome of ["ok", "fail", "unknown"] as const) {
    const seen = new Set<string>();
    let d = "";
    let count = 0;
    let worst = 0;
    for (const op of data.writes) {
      if (op.outcome !== outcome) continue;
      count++;
      worst = Math.max(worst, op.tEnd - op.t);
      const px = Math.round(x(op.t) * 2) / 2;
      const py = Math.round(ly(op.tEnd - op.t) * 2) / 2;
      const key = `${px},${py}`;
      if (seen.has(key)) continue;
      seen.add(key);
      d += `M${px} ${py}h0`;
    }
    if (count)
      g.push(
        `<path${attrs({ class: `latency-dots ${outcome}`, "data-outcome": outcome, "data-count": count })} d="${d}">` +
          title(`${count} ${outcome === "ok" ? "acknowledged" : outcome} write${count === 1 ? "" : "s"}, slowest ${formatMs(worst)}`) +
          `</path>`,
      );
  }
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y = top + H + 14;
}
