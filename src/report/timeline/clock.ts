/**
 * Incident 1: each node's clock offset during a clock fault. Solid: PostgreSQL's wall clock
 * against the harness's, measured in every node sample (pgClockOffsetMs); dashed: the offset the
 * clock-skew faults applied to their targets (the fault's offset from injection, each live update
 * (recorded as a note), 0 from the heal). Appears when the run has a clock-skew fault or a node's
 * measured offset reached 1 s.
 */
import type { NodeSample, NoteEvent } from "../../history/events.js";
import { esc, naturalCompare, niceMax } from "../html-util.js";
import { formatDuration } from "../text.js";
import { type Canvas, type LaneModule, CHART_H } from "./canvas.js";
import { type ChartLine, drawLineChart } from "./line-chart.js";

const SHOWN_FROM_MS = 1000;
const UPDATE_NOTE = /^fault (\S+) \(clock-skew\) updated live: (\{.*\})$/;

/** Per target node: the offset the clock-skew faults applied, as steps (ms). */
export function declaredOffsets(c: Pick<Canvas, "r">): Map<string, { t: number; v: number }[]> {
  const out = new Map<string, { t: number; v: number }[]>();
  const notes = c.r.events.filter((e): e is NoteEvent => e.kind === "note");
  for (const f of c.r.faults.filter((f) => f.type === "clock-skew" && f.ok)) {
    const offset = f.params?.offset;
    if (typeof offset !== "number") continue;
    const pts = [{ t: f.injectedAt, v: offset }];
    for (const n of notes) {
      const m = UPDATE_NOTE.exec(n.text);
      if (!m || m[1] !== f.id || n.t < f.injectedAt || (f.healedAt !== null && n.t > f.healedAt)) continue;
      try {
        const p = JSON.parse(m[2]) as { offset?: unknown; offsetMs?: unknown };
        const v = p.offset ?? p.offsetMs;
        if (typeof v === "number") pts.push({ t: n.t, v });
      } catch {
        // not the note's JSON: skipped
      }
    }
    if (f.healedAt !== null) pts.push({ t: f.healedAt, v: 0 });
    for (const node of f.targets) out.set(node, [...(out.get(node) ?? []), ...pts].sort((a, b) => a.t - b.t));
  }
  return out;
}

/** Per node: PostgreSQL's measured clock offset (ms). */
export function measuredOffsets(c: Pick<Canvas, "r">): Map<string, { t: number; v: number }[]> {
  const out = new Map<string, { t: number; v: number }[]>();
  for (const s of c.r.events.filter((e): e is NodeSample => e.kind === "node" && typeof e.pgClockOffsetMs === "number").sort((a, b) => a.t - b.t)) {
    let pts = out.get(s.node);
    if (!pts) out.set(s.node, (pts = []));
    pts.push({ t: s.t, v: s.pgClockOffsetMs as number });
  }
  return out;
}

export const clockChart: LaneModule = {
  name: "clock",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const declared = declaredOffsets(c);
  const measured = measuredOffsets(c);
  const big = [...measured.values()].some((pts) => pts.some((p) => Math.abs(p.v) >= SHOWN_FROM_MS));
  if (!declared.size && !big) return;
  const nodes = [...new Set([...declared.keys(), ...measured.keys()])].sort(naturalCompare);
  const maxAbs = Math.max(1000, ...[...declared.values(), ...measured.values()].flatMap((pts) => pts.map((p) => Math.abs(p.v))));
  const lim = niceMax(maxAbs);
  const extreme = (pts: { v: number }[]) => pts.reduce((m, p) => (Math.abs(p.v) > Math.abs(m) ? p.v : m), 0);
  const fmt = (ms: number) => `${ms > 0 ? "+" : ms < 0 ? "−" : ""}${formatDuration(Math.abs(ms))}`;
  const lines: ChartLine[] = nodes.flatMap((n) => {
    const out: ChartLine[] = [];
    const m = measured.get(n);
    if (m) out.push({ node: n, style: "solid", cls: "clock-measured", points: m, gapMs: 2000, tip: `${n}: PostgreSQL's wall clock against the harness's, measured; furthest ${fmt(extreme(m))}` });
    const d = declared.get(n);
    if (d) out.push({ node: n, style: "dashed", cls: "clock-declared", points: d, step: true, tip: `${n}: offset applied by the clock-skew fault (drift not included); furthest ${fmt(extreme(d))}` });
    return out;
  });
  drawLineChart(
    c,
    {
      cls: "clock",
      label: "clock",
      legend:
        `Clock offset against the harness: ━ measured (PostgreSQL's clock) · ╌ applied by the clock-skew fault: ` +
        nodes.map((n) => `<tspan fill="${c.colorOf(n)}">${esc(n)}</tspan>`).join(" "),
      scale: (top) => ({
        y: (v) => top + CHART_H / 2 - (v / lim) * (CHART_H / 2),
        ticks: [lim, lim / 2, 0, -lim / 2, -lim].map((v) => ({ v, label: fmt(v) })),
      }),
    },
    lines,
  );
}
