/**
 * The run as one SVG on one time axis (x = history t), stacked from lane modules (one file
 * each: what recorded data it reads, its height, its shapes): fault windows, step and action
 * markers, one swimlane per Patroni node, each node's watch-fed leader and its etcd member,
 * one lane per etcd member, the DCS leader key (polled, then as the etcd3 watch saw every
 * change of the cluster's keys), HAProxy's routing, unavailability windows, then
 * write throughput, write latency, replication lag, DCS lag column and clock offset charts.
 *
 * Every shape that carries meaning has a <title> (native tooltip) and stable classes and
 * data-* attributes (times in ms on the history axis) so tests and people can find it.
 */
import type { RunReport } from "../model.js";
import { type TimelineData, timelineData } from "../html-data.js";
import { attrs, axisLabel, esc, n1, tickStep, ticks } from "../html-util.js";
import { type Canvas, type LaneModule, L, NODE_COLORS, PW, SVG_WIDTH } from "./canvas.js";
import { availabilityLanes } from "./availability.js";
import { dcsLeaderLane } from "./dcs-leader.js";
import { etcdLanes } from "./etcd.js";
import { faultsLane } from "./faults.js";
import { latencyChart } from "./latency.js";
import { markersLane } from "./markers.js";
import { patroniLanes } from "./patroni.js";
import { replicationLagChart } from "./replication-lag.js";
import { chartsDivider, throughputChart } from "./throughput.js";
import { leaderViewLanes } from "./leader-view.js";
import { dcsEndpointLanes } from "./dcs-endpoint.js";
import { haproxyLanes } from "./haproxy.js";
import { dcsLagChart } from "./dcs-lag.js";
import { clockChart } from "./clock.js";
import { dcsWatchLane } from "./dcs-watch.js";

export { NODE_COLORS, SVG_WIDTH } from "./canvas.js";
export type { Canvas, Lane, LaneModule } from "./canvas.js";

/** The lanes the timeline had before it was split into modules (pinned by snapshot tests). */
export const LEGACY_LANES: readonly LaneModule[] = [
  faultsLane,
  markersLane,
  patroniLanes,
  etcdLanes,
  dcsLeaderLane,
  availabilityLanes,
  chartsDivider,
  throughputChart,
  latencyChart,
  replicationLagChart,
];

/**
 * Every lane, top to bottom: the legacy ones plus the incident signals, each drawn only when
 * the run recorded its data (a run without them renders exactly as LEGACY_LANES).
 */
export const TIMELINE_LANES: readonly LaneModule[] = [
  faultsLane,
  markersLane,
  patroniLanes,
  leaderViewLanes,
  dcsEndpointLanes,
  etcdLanes,
  dcsLeaderLane,
  dcsWatchLane,
  haproxyLanes,
  availabilityLanes,
  chartsDivider,
  throughputChart,
  latencyChart,
  replicationLagChart,
  dcsLagChart,
  clockChart,
];

export interface TimelineOptions {
  /** Lanes to stack, top to bottom (default: all). */
  lanes?: readonly LaneModule[];
}

export function renderTimelineSvg(r: RunReport, data: TimelineData = timelineData(r), opts: TimelineOptions = {}): string {
  const { t0, t1 } = data;
  const nodeColor = new Map<string, string>(data.nodes.map((n, i) => [n.node, NODE_COLORS[i % NODE_COLORS.length]]));
  const c: Canvas = {
    r,
    data,
    t0,
    t1,
    x: (t: number) => L + ((Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0)) * PW,
    w: (a: number, b: number) => Math.max(0.8, c.x(b) - c.x(a)),
    colorOf: (node: string) => nodeColor.get(node) ?? "#868e96",
    bgs: [],
    back: [],
    body: [],
    front: [],
    y: 0,
    contentBottom: 0,
    laneY: new Map(),
    faultTop: 0,
    markersTop: 0,
  };
  const { x, body, back, front } = c;

  // ---- top axis ----
  const step = tickStep(t1 - t0, 22);
  const tickTs = ticks(t0, t1, step);
  body.push(`<g class="axis axis-top">`);
  for (const t of tickTs) body.push(`<text x="${n1(x(t))}" y="13" text-anchor="middle">${esc(axisLabel(t))}</text>`);
  body.push(`</g>`);
  c.y = 20;

  // ---- lanes, stacked ----
  const modules = opts.lanes ?? TIMELINE_LANES;
  const lanes = modules.map((m) => m.create());
  for (const lane of lanes) lane.draw(c);

  // ---- bottom axis ----
  const contentBottom = (c.contentBottom = c.y);
  body.push(`<g class="axis axis-bottom">`);
  for (const t of tickTs) body.push(`<text x="${n1(x(t))}" y="${contentBottom + 12}" text-anchor="middle">${esc(axisLabel(t))}</text>`);
  body.push(`<text x="${L + PW}" y="${contentBottom + 26}" text-anchor="end" class="axis-unit">seconds since the run started (history t)</text>`);
  body.push(`</g>`);
  const height = contentBottom + 32;

  // ---- grid (behind) ----
  for (const t of tickTs) back.unshift(`<line class="vgrid" x1="${n1(x(t))}" x2="${n1(x(t))}" y1="18" y2="${contentBottom}"/>`);

  // ---- overlays spanning the height: fault windows, evidence, markers ----
  lanes
    .map((lane, i) => ({ lane, order: modules[i].overlayOrder ?? 100 + i }))
    .sort((a, b) => a.order - b.order)
    .forEach(({ lane }) => lane.overlay?.(c));

  // Crosshair (moved by the page's script; invisible without it).
  front.push(
    `<g id="crosshair" class="crosshair" visibility="hidden"><line x1="0" x2="0" y1="18" y2="${contentBottom}"/><rect x="-26" y="${contentBottom}" width="52" height="16" rx="3"/><text x="0" y="${contentBottom + 12}" text-anchor="middle"></text></g>`,
  );

  return (
    `<svg${attrs({
      xmlns: "http://www.w3.org/2000/svg",
      class: "timeline",
      id: "timeline",
      viewBox: `0 0 ${SVG_WIDTH} ${height}`,
      width: SVG_WIDTH,
      height,
      "aria-label": `Timeline of run ${r.runId}`,
      "data-t0": t0,
      "data-t1": t1,
      "data-x0": L,
      "data-x1": L + PW,
    })}>` +
    `<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern>` +
    `<pattern id="hatch-red" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-red-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-red-line"/></pattern></defs>` +
    `<g class="back">${c.bgs.join("")}${back.join("")}</g>${body.join("")}<g class="front">${front.join("")}</g></svg>`
  );
}
