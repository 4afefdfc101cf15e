/**
 * What every timeline lane draws on: the shared time axis (x = history t), the layers of the
 * SVG and the running y where the next lane starts. The composer (index.ts) creates one per
 * render and hands it to each lane in turn.
 */
import type { RunReport } from "../model.js";
import type { TimelineData } from "../html-data.js";
import { esc, n1 } from "../html-util.js";
import { formatDuration, formatT } from "../text.js";

/** Width of the SVG's coordinate system; the page scales it to the window. */
export const SVG_WIDTH = 1400;
/** Gutter for lane labels. */
export const L = 150;
const R = 16;
/** Width of the plot area. */
export const PW = SVG_WIDTH - L - R;
/** Height of a chart (throughput, latency, lag ...). */
export const CHART_H = 96;

/** Colours per node (DCS leader key holder, per-node lines); distinct in greyscale print too. */
export const NODE_COLORS = ["#3b5bdb", "#0c8599", "#ae3ec9", "#e8590c", "#5c940d", "#c2255c", "#1098ad", "#7048e8"];

export interface Canvas {
  r: RunReport;
  data: TimelineData;
  /** Visible time domain (ms on the history axis). */
  t0: number;
  t1: number;
  /** x of a time (clamped to the domain). */
  x(t: number): number;
  /** Width of [a, b] (at least 0.8 so short runs stay visible). */
  w(a: number, b: number): number;
  colorOf(node: string): string;
  /** Layers, drawn in this order: chart backgrounds, grid and shading, lanes, front (edges, evidence, markers). */
  bgs: string[];
  back: string[];
  body: string[];
  front: string[];
  /** Where the next lane starts. */
  y: number;
  /** Bottom of the last lane (known once every lane is stacked; overlays use it). */
  contentBottom: number;
  /** Top of each Patroni node's lane (evidence overlays frame them). */
  laneY: Map<string, number>;
  /** Top of the fault and marker rows (their overlays reach down to contentBottom). */
  faultTop: number;
  markersTop: number;
}

/** One lane (or group of lanes) of the timeline: draws itself at c.y and advances c.y by its height. */
export interface Lane {
  /** Stacks the lane's shapes; draws nothing (and takes no height) when its data is absent. */
  draw(c: Canvas): void;
  /** Shapes spanning the whole height (fault windows, evidence, markers), drawn after stacking. */
  overlay?(c: Canvas): void;
}

/** A lane kind: makes a fresh Lane per render (a lane may keep layout state between draw and overlay). */
export interface LaneModule {
  /** Stable name (tests, docs). */
  name: string;
  create(): Lane;
  /** Order among overlays (lower first); default: the lane's order. */
  overlayOrder?: number;
}

export function title(text: string): string {
  return `<title>${esc(text)}</title>`;
}

export const span = (from: number, to: number) => `${formatT(from)} → ${formatT(to)} (${formatDuration(to - from)})`;

/** A full-width separator line in the lanes layer. */
export function sep(c: Canvas, yy: number): void {
  c.body.push(`<line class="sep" x1="8" x2="${SVG_WIDTH - 8}" y1="${yy}" y2="${yy}"/>`);
}

/** A y-axis tick label with its tick mark, left of the plot area. */
export function yTick(yy: number, label: string): string {
  return `<text class="ytick" x="${L - 6}" y="${n1(yy + 3.5)}" text-anchor="end">${esc(label)}</text><line class="ytick-line" x1="${L - 3}" x2="${L}" y1="${n1(yy)}" y2="${n1(yy)}"/>`;
}
