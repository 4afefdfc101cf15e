/** Write throughput chart: acknowledged writes up, failed and unknown down, per bucket; lost writes marked. Reads data.buckets and the verdicts' evidence. */
import type { LostWriteEvidence } from "../../checker/checker.js";
import { attrs, esc, n1, niceMax } from "../html-util.js";
import { formatT } from "../text.js";
import { type Canvas, type LaneModule, CHART_H, L, PW, sep, title, yTick } from "./canvas.js";
import { unavailabilityWindows } from "./availability.js";

/** The line between the lanes and the charts (always drawn). */
export const chartsDivider: LaneModule = {
  name: "charts-divider",
  create: () => ({
    draw(c: Canvas) {
      sep(c, c.y + 2);
      c.y += 10;
    },
  }),
};

export const throughputChart: LaneModule = {
  name: "throughput",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { x, w, data, t0, t1 } = c;
  if (!data.buckets.length) return;
  const { windows, vias } = unavailabilityWindows(c.r);
  const top = c.y + 26;
  c.bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
  const H = CHART_H;
  const okMax = data.buckets.reduce((m, b) => Math.max(m, b.ok), 0);
  const errMax = data.buckets.reduce((m, b) => Math.max(m, b.fail + b.unknown), 0);
  const up = niceMax(Math.max(1, okMax));
  const down = errMax > 0 ? niceMax(errMax) : 0;
  const k = H / (up + down);
  const base = top + up * k;
  const per = data.bucketMs === 1000 ? "per second" : `per ${data.bucketMs / 1000} s`;
  const g: string[] = [`<g class="chart throughput" data-bucket-ms="${data.bucketMs}">`];
  g.push(`<text class="chart-title" x="${L + 4}" y="${c.y + 10}">Writes ${per}: <tspan class="c-ok">■ acknowledged</tspan> (up) · <tspan class="c-fail">■ failed</tspan> <tspan class="c-unknown">■ unknown</tspan> (down)</text>`);
  g.push(`<text class="lane-label" x="${L - 10}" y="${top + 12}" text-anchor="end">writes</text>`);
  g.push(yTick(top, `${up}/${per === "per second" ? "s" : `${data.bucketMs / 1000}s`}`), yTick(base, "0"));
  if (down) g.push(yTick(top + H, `${down}/${per === "per second" ? "s" : `${data.bucketMs / 1000}s`}`));
  g.push(`<line class="baseline" x1="${L}" x2="${L + PW}" y1="${n1(base)}" y2="${n1(base)}"/>`);
  // Shade when no write at all was acknowledged (the per-path windows have their own lanes).
  for (const v of vias.includes("all") ? ["all"] : vias) {
    for (const e of windows.filter((ev) => ev.via === v))
      c.back.push(`<rect class="unavailability-shade" data-via="${esc(v)}" x="${n1(x(e.start))}" y="${top}" width="${n1(w(e.start, e.end))}" height="${H}"/>`);
  }
  const bw = Math.max(1, (data.bucketMs / (t1 - t0)) * PW - 1);
  for (const b of data.buckets) {
    if (b.t0 < t0 - data.bucketMs || b.t0 > t1) continue;
    const bx = n1(x(b.t0) + 0.5);
    const parts: string[] = [];
    if (b.ok) parts.push(`<rect class="bar ok" x="${bx}" y="${n1(base - b.ok * k)}" width="${n1(bw)}" height="${n1(b.ok * k)}"/>`);
    if (b.fail) parts.push(`<rect class="bar fail" x="${bx}" y="${n1(base)}" width="${n1(bw)}" height="${n1(b.fail * k)}"/>`);
    if (b.unknown) parts.push(`<rect class="bar unknown" x="${bx}" y="${n1(base + b.fail * k)}" width="${n1(bw)}" height="${n1(b.unknown * k)}"/>`);
    g.push(
      `<g${attrs({ class: "bucket", "data-t": b.t0, "data-ok": b.ok, "data-fail": b.fail, "data-unknown": b.unknown })}>` +
        parts.join("") +
        title(`${formatT(b.t0)} – ${formatT(b.t1)}: ${b.ok} acknowledged, ${b.fail} failed, ${b.unknown} unknown (by completion time)`) +
        `</g>`,
    );
  }
  // Lost writes (no-acked-write-lost evidence), at their acknowledgement.
  const lost = c.r.verdicts.flatMap((v) => v.evidence).filter((e): e is LostWriteEvidence => e.type === "lost-write");
  for (const e of lost.slice(0, 300))
    g.push(`<g${attrs({ class: "lost-write", "data-seq": e.seq, "data-t": e.completedAt })}><path d="M${n1(x(e.completedAt) - 3)} ${n1(base - 3)}l6 6m0-6l-6 6"/>${title(e.message)}</g>`);
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y = top + H + 14;
}
