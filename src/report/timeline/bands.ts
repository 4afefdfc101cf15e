/**
 * Shared drawing for the signal lanes (cached leader, etcd endpoint, HAProxy routing): a group
 * title with its legend, then one thin band per row, each run of equal values one rectangle with
 * a hover title, its value written in where there is room, and optional alert stripes.
 */
import { type Run } from "../html-data.js";
import { attrs, esc, n1 } from "../html-util.js";
import { type Canvas, L, PW, span, title } from "./canvas.js";

export const BAND_H = 12;
/** The alert stripe sits in the gap under the band, clear of the band's colour. */
const ALERT_H = 4;
const ROW_H = BAND_H + ALERT_H + 2;

/** A value holding from one run to the next: events (not samples), so the last run lasts to `end`. */
export function stepRuns<V>(points: readonly { t: number; value: V }[], end: number): Run<V>[] {
  const out: Run<V>[] = [];
  points.forEach((p, i) => {
    const last = out[out.length - 1];
    if (last && last.value === p.value) {
      last.last = i;
      return;
    }
    if (last) last.to = p.t;
    out.push({ value: p.value, from: p.t, to: end, first: i, last: i });
  });
  return out;
}

/** The parts of [from, to) where `bad` runs overlap `runs` and `pred(run, badRun)` holds. */
export function overlaps<A, B>(runs: readonly Run<A>[], bad: readonly Run<B>[], pred: (a: A, b: B) => boolean): { from: number; to: number; a: A; b: B }[] {
  const out: { from: number; to: number; a: A; b: B }[] = [];
  for (const r of runs)
    for (const b of bad) {
      const from = Math.max(r.from, b.from);
      const to = Math.min(r.to, b.to);
      if (to > from && pred(r.value, b.value)) {
        const prev = out[out.length - 1];
        if (prev && prev.to === from && prev.a === r.value && prev.b === b.value) prev.to = to;
        else out.push({ from, to, a: r.value, b: b.value });
      }
    }
  return out;
}

export interface BandRow<V> {
  /** Row label (left gutter). */
  label: string;
  /** data-* key of the row, e.g. { "data-node": "pg1" }. */
  key: Record<string, string>;
  runs: Run<V>[];
  /** Class of a run's rectangle (styled in html-assets/style.ts). */
  cls(v: V): string;
  /** Fill colour, when not by class. */
  fill?(v: V): string | undefined;
  /** Text written in the band (when it fits). */
  text(v: V): string;
  /** Hover title of a run. */
  tip(run: Run<V>): string;
  /** Alert stripes along the band's bottom (e.g. "differs from the real leader key"). */
  alerts?: { from: number; to: number; tip: string }[];
}

/** Draws a group: a title line with the legend, then the rows. Nothing when no row has a run. */
export function drawBands<V>(c: Canvas, group: { cls: string; id: string; legend: string }, rows: BandRow<V>[]): void {
  const shown = rows.filter((r) => r.runs.length);
  if (!shown.length) return;
  const { x, w } = c;
  const g: string[] = [`<g${attrs({ class: `lane-group ${group.cls}`, id: group.id })}>`];
  g.push(`<text class="chart-title lane-legend" x="${L + 4}" y="${c.y + 11}">${group.legend}</text>`);
  c.y += 16;
  for (const row of shown) {
    const ly = c.y;
    g.push(`<g${attrs({ class: `lane ${group.cls}`, ...row.key })}>`);
    g.push(`<text class="lane-label small" x="${L - 10}" y="${ly + 10.5}" text-anchor="end">${esc(row.label)}</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="${BAND_H}"/>`);
    for (const run of row.runs) {
      const text = row.text(run.value);
      const fill = row.fill?.(run.value);
      g.push(
        `<g${attrs({ class: `band ${row.cls(run.value)}`, ...row.key, "data-value": text, "data-from": run.from, "data-to": run.to })}>` +
          `<rect x="${n1(x(run.from))}" y="${ly}" width="${n1(w(run.from, run.to))}" height="${BAND_H}"${fill ? ` fill="${fill}"` : ""}/>` +
          (w(run.from, run.to) > text.length * 6 + 8 ? `<text x="${n1(x(run.from) + 4)}" y="${ly + 9.5}">${esc(text)}</text>` : "") +
          title(`${row.tip(run)}\n${span(run.from, run.to)}`) +
          `</g>`,
      );
    }
    for (const a of row.alerts ?? [])
      g.push(
        `<rect${attrs({ class: "band-alert", ...row.key, "data-from": a.from, "data-to": a.to })} x="${n1(x(a.from))}" y="${ly + BAND_H}" width="${n1(w(a.from, a.to))}" height="${ALERT_H}">` +
          title(`${a.tip}\n${span(a.from, a.to)}`) +
          `</rect>`,
      );
    g.push(`</g>`);
    c.y += ROW_H;
  }
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y += 3;
}
