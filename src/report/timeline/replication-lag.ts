/** Replication lag per replica (primary's WAL position − replica's replay position), log2 scale. Reads data.lag (node samples). */
import { attrs, esc, formatBytes, n1 } from "../html-util.js";
import { formatT } from "../text.js";
import { type Canvas, type LaneModule, CHART_H, L, PW, title, yTick } from "./canvas.js";
import { naturalCompare } from "../../util/natural-order.js";

export const replicationLagChart: LaneModule = {
  name: "replication-lag",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { x, data, t0, t1 } = c;
  const lagNodes = [...data.lag.entries()].filter(([, pts]) => pts.length > 0).sort((a, b) => naturalCompare(a[0], b[0]));
  if (!lagNodes.length) return;
  const top = c.y + 26;
  c.bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
  const H = CHART_H;
  const maxBytes = lagNodes.reduce((m, [, pts]) => pts.reduce((mm, p) => Math.max(mm, p.bytes), m), 0);
  const topExp = Math.max(15, Math.ceil(Math.log2(1 + maxBytes) / 5) * 5);
  const ly = (b: number) => top + H - (Math.log2(1 + b) / topExp) * H;
  const gap = Math.max(2000, ((t1 - t0) / 800) * 6);
  const g: string[] = [`<g class="chart lag">`];
  g.push(
    `<text class="chart-title" x="${L + 4}" y="${c.y + 10}">Replication lag (primary's WAL position − replica's replay position, bytes, log scale): ` +
      lagNodes.map(([node]) => `<tspan fill="${c.colorOf(node)}">━ ${esc(node)}</tspan>`).join(" ") +
      `</text>`,
  );
  g.push(`<text class="lane-label" x="${L - 10}" y="${top + 12}" text-anchor="end">lag</text>`);
  g.push(yTick(ly(0), "0"));
  for (let e = 10; e <= topExp; e += 5) {
    const b = 2 ** e;
    g.push(yTick(ly(b), formatBytes(b)));
    g.push(`<line class="hgrid" x1="${L}" x2="${L + PW}" y1="${n1(ly(b))}" y2="${n1(ly(b))}"/>`);
  }
  lagNodes.forEach(([node, pts], i) => {
    // Replicas often share a lag (0 most of the time): offset each line a little so none hides another.
    const off = (i - (lagNodes.length - 1) / 2) * 1.6;
    let d = "";
    let prevT = -Infinity;
    let worst = pts[0];
    for (const p of pts) {
      d += `${p.t - prevT > gap ? "M" : "L"}${n1(x(p.t))} ${n1(ly(p.bytes) + off)}`;
      prevT = p.t;
      if (p.bytes > worst.bytes) worst = p;
    }
    g.push(
      `<path${attrs({ class: "lag-line", "data-node": node, "data-max-bytes": worst.bytes })} d="${d}" stroke="${c.colorOf(node)}">` +
        title(`${node} replication lag: max ${formatBytes(worst.bytes)} (${worst.bytes} bytes) at ${formatT(worst.t)}`) +
        `</path>`,
    );
  });
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y = top + H + 14;
}
