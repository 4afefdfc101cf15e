/**
 * The run as one SVG on one time axis (x = history t): fault windows, step and action markers,
 * one swimlane per Patroni node (role, writability, streaming, timeline, Patroni's own log
 * marks), one per etcd member (health, raft leader), the DCS leader key, unavailability
 * windows, then write throughput, write latency and replication lag charts.
 *
 * Every shape that carries meaning has a <title> (native tooltip) and stable classes and
 * data-* attributes (times in ms on the history axis) so tests and people can find it.
 */
import type { InterleavedAcksEvidence, LostWriteEvidence, OverlapEvidence, UnavailabilityWindowEvidence } from "../checker/checker.js";
import type { ActionReport, FaultReport, RunReport, StepReport } from "./model.js";
import { type RoleClass, type TimelineData, timelineData } from "./html-data.js";
import { attrs, axisLabel, esc, formatBytes, formatMs, n1, niceMax, tickStep, ticks, truncate } from "./html-util.js";
import { formatDuration, formatT } from "./text.js";

/** Width of the SVG's coordinate system; the page scales it to the window. */
export const SVG_WIDTH = 1400;
const L = 150; // gutter for lane labels
const R = 16;
const PW = SVG_WIDTH - L - R;
const CHART_H = 96;

/** Colours per node (DCS leader key holder, replication lag lines). */
export const NODE_COLORS = ["#3b5bdb", "#0c8599", "#ae3ec9", "#e8590c", "#5c940d", "#c2255c", "#1098ad", "#7048e8"];

const ROLE_TEXT: Record<RoleClass, string> = {
  primary: "primary",
  replica: "replica",
  "standby-leader": "standby leader",
  demoted: "demoted",
  down: "down",
  unknown: "unknown",
};

const span = (from: number, to: number) => `${formatT(from)} → ${formatT(to)} (${formatDuration(to - from)})`;

function title(text: string): string {
  return `<title>${esc(text)}</title>`;
}

export function renderTimelineSvg(r: RunReport, data: TimelineData = timelineData(r)): string {
  const { t0, t1 } = data;
  const x = (t: number) => L + (Math.min(Math.max(t, t0), t1) - t0) / (t1 - t0) * PW;
  const w = (a: number, b: number) => Math.max(0.8, x(b) - x(a));
  const nodeColor = new Map<string, string>(data.nodes.map((n, i) => [n.node, NODE_COLORS[i % NODE_COLORS.length]]));
  const colorOf = (node: string) => nodeColor.get(node) ?? "#868e96";

  const bgs: string[] = []; // drawn first: chart backgrounds
  const back: string[] = []; // then grid, fault windows, shading
  const body: string[] = [];
  const front: string[] = []; // drawn last: edges, evidence, markers
  let y = 0;

  // ---- top axis ----
  const step = tickStep(t1 - t0, 22);
  const tickTs = ticks(t0, t1, step);
  body.push(`<g class="axis axis-top">`);
  for (const t of tickTs) body.push(`<text x="${n1(x(t))}" y="13" text-anchor="middle">${esc(axisLabel(t))}</text>`);
  body.push(`</g>`);
  y = 20;

  // ---- fault labels ----
  const faults = r.faults.map((f) => ({ f, from: f.injectedAt, to: f.healedAt ?? t1 }));
  const faultRows: number[] = [];
  // Overlapping faults (or labels wider than their window) go to separate rows.
  const faultRowOf = faults.map(({ from, to, f }) => {
    const labelW = Math.max(w(from, to), 6.2 * (f.id.length + f.type.length + f.targets.join(", ").length + 8));
    let row = faultRows.findIndex((end) => end + 4 <= x(from));
    if (row < 0) row = faultRows.push(0) - 1;
    faultRows[row] = x(from) + labelW;
    return row;
  });
  const faultTop = y;
  if (faults.length) {
    body.push(`<text class="lane-label" x="${L - 10}" y="${y + 12}" text-anchor="end">faults</text>`);
    y += faultRows.length * 18 + 2;
  }

  // ---- markers lane: steps, actions, notes ----
  const markersTop = y;
  const rowsEnd: number[] = [];
  const MAX_MARKER_ROWS = 4;
  const placeRow = (xPos: number, width: number) => {
    let row = rowsEnd.findIndex((end) => end + 3 <= xPos - width / 2);
    if (row < 0 && rowsEnd.length < MAX_MARKER_ROWS) row = rowsEnd.push(-Infinity) - 1;
    // All rows taken here: overlap in the row that frees up first.
    if (row < 0) row = rowsEnd.indexOf(Math.min(...rowsEnd));
    rowsEnd[row] = xPos + width / 2;
    return row;
  };
  const stepPlacements = r.steps.map((s) => {
    const end = s.tEnd ?? t1;
    const label = String(s.index + 1);
    return { s, end, row: placeRow(x(end), Math.max(16, label.length * 7 + 8)) };
  });
  const actionRowBase = rowsEnd.length;
  const actionsPlaced = r.actions.map((a) => ({ a, row: actionRowBase }));
  const markerRows = Math.max(1, rowsEnd.length + (r.actions.length ? 1 : 0));
  const rowY = (row: number) => markersTop + 16 + row * 19;
  const markersHeight = 16 + markerRows * 19;
  body.push(`<text class="lane-label" x="${L - 10}" y="${markersTop + 20}" text-anchor="end">steps</text>`);
  if (r.actions.length) body.push(`<text class="lane-sublabel" x="${L - 10}" y="${rowY(actionRowBase) + 4}" text-anchor="end">actions</text>`);
  y += markersHeight + 2;
  sep(y);
  y += 6;

  // ---- Patroni lanes ----
  const laneY = new Map<string, number>();
  for (const lane of data.nodes) {
    const ly = y;
    laneY.set(lane.node, ly);
    const g: string[] = [];
    g.push(`<g${attrs({ class: "lane patroni", "data-node": lane.node, id: `lane-${lane.node}` })}>`);
    g.push(`<text class="lane-label" x="${L - 10}" y="${ly + 15}" text-anchor="end">${esc(lane.node)}</text>`);
    g.push(`<text class="lane-sublabel" x="${L - 10}" y="${ly + 27}" text-anchor="end">writable</text>`);
    g.push(`<text class="lane-sublabel" x="${L - 10}" y="${ly + 35}" text-anchor="end">streaming</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="20"/>`);
    const tlXs = lane.timelineChanges.map((c) => x(c.t));
    for (const run of lane.roles) {
      const tl = run.timelines.length ? ` on timeline ${run.timelines.join(", ")}` : "";
      const st = run.states.length ? ` (${run.states.join(", ")})` : "";
      const samples = run.last - run.first + 1;
      g.push(
        `<rect${attrs({ class: `role role-${run.value}`, "data-node": lane.node, "data-role": run.value, "data-from": run.from, "data-to": run.to })}` +
          ` x="${n1(x(run.from))}" y="${ly}" width="${n1(w(run.from, run.to))}" height="20">` +
          title(`${lane.node}: ${ROLE_TEXT[run.value]}${st}${tl}\n${span(run.from, run.to)}, ${samples} sample${samples === 1 ? "" : "s"}` +
            (run.value === "down" ? `\n${lane.samples[run.first]?.error ?? "Patroni REST API not answering"}` : "")) +
          `</rect>`,
      );
      // The role's name in the band where there is room, clear of the timeline labels.
      const text = ROLE_TEXT[run.value];
      const half = (text.length * 6) / 2 + 4;
      let cx = (x(run.from) + x(run.to)) / 2;
      const hit = tlXs.find((tx) => tx + 30 > cx - half && tx < cx + half);
      if (hit !== undefined) cx = hit + 30 + half;
      if (w(run.from, run.to) > 120 && cx + half <= x(run.to))
        g.push(`<text class="role-text role-text-${run.value}" x="${n1(cx)}" y="${ly + 14}" text-anchor="middle">${esc(text)}</text>`);
    }
    for (const c of lane.timelineChanges)
      g.push(
        `<text${attrs({ class: "timeline-label", "data-node": lane.node, "data-timeline": c.timeline, "data-t": c.t })} x="${n1(x(c.t) + 3)}" y="${ly + 14}">` +
          `TL${c.timeline}${title(`${lane.node}: PostgreSQL timeline ${c.timeline}${c.previous === null ? "" : ` (was ${c.previous})`} from ${formatT(c.t)}`)}</text>`,
      );
    for (const run of lane.writable)
      g.push(
        `<rect${attrs({ class: `writability ${run.value}`, "data-node": lane.node, "data-from": run.from, "data-to": run.to })}` +
          ` x="${n1(x(run.from))}" y="${ly + 22}" width="${n1(w(run.from, run.to))}" height="6">` +
          title(`${lane.node}: ${run.value === "writable" ? "PostgreSQL writable" : run.value === "read-only" ? "PostgreSQL read-only" : "PostgreSQL not answering"}\n${span(run.from, run.to)}`) +
          `</rect>`,
      );
    for (const run of lane.streaming)
      g.push(
        `<rect${attrs({ class: `streaming ${run.value}`, "data-node": lane.node, "data-from": run.from, "data-to": run.to })}` +
          ` x="${n1(x(run.from))}" y="${ly + 30}" width="${n1(w(run.from, run.to))}" height="4">` +
          title(`${lane.node}: replica ${run.value === "streaming" ? "streaming" : "NOT streaming"}\n${span(run.from, run.to)}`) +
          `</rect>`,
      );
    // Patroni's own log lines about roles and the DCS, grouped when they fall close together.
    const groups: { t: number; lines: typeof lane.logs }[] = [];
    for (const l of lane.logs) {
      const last = groups[groups.length - 1];
      if (last && x(l.t) - x(last.t) < 5) last.lines.push(l);
      else groups.push({ t: l.t, lines: [l] });
    }
    for (const grp of groups) {
      const cx = x(grp.t);
      const text = grp.lines
        .slice(0, 10)
        .map((l) => `${formatT(l.t)} ${truncate(l.line, 220)}`)
        .join("\n");
      const more = grp.lines.length > 10 ? `\n… ${grp.lines.length - 10} more` : "";
      g.push(
        `<g${attrs({ class: "log-mark", "data-node": lane.node, "data-t": grp.t, "data-count": grp.lines.length })}>` +
          `<path d="M${n1(cx)} ${ly + 36}l-3.5 6h7z"/>${title(`${lane.node} log:\n${text}${more}`)}</g>`,
      );
    }
    g.push(`</g>`);
    body.push(g.join(""));
    y += 48;
  }

  // ---- etcd lanes ----
  if (data.etcd.length) {
    sep(y - 2);
    y += 5;
  }
  for (const lane of data.etcd) {
    const ly = y;
    const g: string[] = [`<g${attrs({ class: "lane etcd", "data-member": lane.member, id: `lane-${lane.member}` })}>`];
    g.push(`<text class="lane-label small" x="${L - 10}" y="${ly + 10}" text-anchor="end">etcd ${esc(lane.member)}</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="12"/>`);
    if (!lane.health.length) g.push(`<text class="no-data" x="${L + 6}" y="${ly + 9.5}">no DCS samples</text>`);
    for (const run of lane.health)
      g.push(
        `<rect${attrs({ class: `etcd-health ${run.value}`, "data-member": lane.member, "data-from": run.from, "data-to": run.to })}` +
          ` x="${n1(x(run.from))}" y="${ly}" width="${n1(w(run.from, run.to))}" height="12">` +
          title(`etcd ${lane.member}: ${run.value === "healthy" ? "healthy" : run.value === "unhealthy" ? "UNHEALTHY (/health did not answer true)" : "health unknown"}\n${span(run.from, run.to)}`) +
          `</rect>`,
      );
    for (const run of lane.leader)
      g.push(
        `<g${attrs({ class: "etcd-leader", "data-member": lane.member, "data-from": run.from, "data-to": run.to })}>` +
          `<rect x="${n1(x(run.from))}" y="${ly + 8}" width="${n1(w(run.from, run.to))}" height="4"/>` +
          `<path d="M${n1(x(run.from) + 5)} ${ly + 1.5}l1.6 3.2 3.4.4-2.5 2.3.7 3.4-3.2-1.7-3.2 1.7.7-3.4-2.5-2.3 3.4-.4z"/>` +
          title(`etcd ${lane.member} is the raft leader\n${span(run.from, run.to)}`) +
          `</g>`,
      );
    g.push(`</g>`);
    body.push(g.join(""));
    y += 17;
  }

  // ---- DCS leader key ----
  if (data.dcs.length) {
    y += 3;
    const ly = y;
    const g: string[] = [`<g class="lane dcs" id="lane-dcs">`];
    g.push(`<text class="lane-label small" x="${L - 10}" y="${ly + 13}" text-anchor="end">DCS leader key</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="18"/>`);
    for (const run of data.dcs) {
      const label = run.state === "unreadable" ? "DCS unreadable" : run.state === "no-leader" ? "no leader" : (run.leader as string);
      const detail =
        run.state === "unreadable"
          ? `DCS unreadable (no etcd member answered a linearizable read)${run.errors.length ? `\n${run.errors.join("\n")}` : ""}`
          : run.state === "no-leader"
            ? "leader key absent: no leader"
            : `leader key held by ${run.leader}`;
      g.push(
        `<g${attrs({ class: `dcs-run dcs-${run.state}`, "data-state": run.state, "data-leader": run.leader ?? undefined, "data-from": run.from, "data-to": run.to })}>` +
          `<rect x="${n1(x(run.from))}" y="${ly}" width="${n1(w(run.from, run.to))}" height="18"${run.state === "leader" ? ` fill="${colorOf(run.leader as string)}"` : ""}/>` +
          (w(run.from, run.to) > label.length * 6.5 + 8
            ? `<text x="${n1(x(run.from) + 4)}" y="${ly + 13}">${esc(label)}</text>`
            : "") +
          title(`${detail}\n${span(run.from, run.to)}${run.members.length ? `\nmember keys: ${run.members.join(", ")}` : ""}`) +
          `</g>`,
      );
    }
    g.push(`</g>`);
    body.push(g.join(""));
    y += 22;
  }

  // ---- unavailability windows (write-availability evidence) ----
  const windows = r.verdicts
    .filter((v) => v.checker === "write-availability")
    .flatMap((v) => v.evidence)
    .filter((e): e is UnavailabilityWindowEvidence => e.type === "unavailability-window");
  const vias = [...new Set(windows.map((e) => e.via))].sort();
  if (vias.length) y += 3;
  for (const via of vias) {
    const ly = y;
    const g: string[] = [`<g${attrs({ class: "lane availability", "data-via": via })}>`];
    g.push(`<text class="lane-label small" x="${L - 10}" y="${ly + 10}" text-anchor="end">no acks${via === "all" ? "" : ` (${esc(via)})`}</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="12"/>`);
    for (const e of windows.filter((x) => x.via === via))
      g.push(
        `<rect${attrs({ class: "unavailability", "data-via": via, "data-from": e.start, "data-to": e.end })} x="${n1(x(e.start))}" y="${ly}" width="${n1(w(e.start, e.end))}" height="12">` +
          title(e.message) +
          `</rect>` +
          (w(e.start, e.end) > 60 ? `<text class="unavailability-text" x="${n1(x(e.start) + 4)}" y="${ly + 9.5}">${esc(formatDuration(e.durationMs))}</text>` : ""),
      );
    g.push(`</g>`);
    body.push(g.join(""));
    y += 15;
  }

  // ---- charts ----
  sep(y + 2);
  y += 10;

  // Write throughput: acked up, failed/unknown down, per bucket.
  if (data.buckets.length) {
    const top = y + 26;
    bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
    const H = CHART_H;
    const okMax = data.buckets.reduce((m, b) => Math.max(m, b.ok), 0);
    const errMax = data.buckets.reduce((m, b) => Math.max(m, b.fail + b.unknown), 0);
    const up = niceMax(Math.max(1, okMax));
    const down = errMax > 0 ? niceMax(errMax) : 0;
    const k = H / (up + down);
    const base = top + up * k;
    const per = data.bucketMs === 1000 ? "per second" : `per ${data.bucketMs / 1000} s`;
    const g: string[] = [`<g class="chart throughput" data-bucket-ms="${data.bucketMs}">`];
    g.push(`<text class="chart-title" x="${L + 4}" y="${y + 10}">Writes ${per}: <tspan class="c-ok">■ acknowledged</tspan> (up) · <tspan class="c-fail">■ failed</tspan> <tspan class="c-unknown">■ unknown</tspan> (down)</text>`);
    g.push(`<text class="lane-label" x="${L - 10}" y="${top + 12}" text-anchor="end">writes</text>`);
    g.push(yTick(top, `${up}/${per === "per second" ? "s" : `${data.bucketMs / 1000}s`}`), yTick(base, "0"));
    if (down) g.push(yTick(top + H, `${down}/${per === "per second" ? "s" : `${data.bucketMs / 1000}s`}`));
    g.push(`<line class="baseline" x1="${L}" x2="${L + PW}" y1="${n1(base)}" y2="${n1(base)}"/>`);
    // Shade when no write at all was acknowledged (the per-path windows have their own lanes).
    for (const v of vias.includes("all") ? ["all"] : vias) {
      for (const e of windows.filter((x) => x.via === v))
        back.push(`<rect class="unavailability-shade" data-via="${esc(v)}" x="${n1(x(e.start))}" y="${top}" width="${n1(w(e.start, e.end))}" height="${H}"/>`);
    }
    const bw = Math.max(1, (data.bucketMs / (t1 - t0)) * PW - 1);
    for (const b of data.buckets) {
      if (b.t0 < t0 - data.bucketMs || b.t0 > t1) continue;
      const bx = n1(x(b.t0) + 0.5);
      const parts: string[] = [];
      if (b.ok) parts.push(`<rect class="bar ok" x="${bx}" y="${n1(base - b.ok * k)}" width="${n1(bw)}" height="${n1(b.ok * k)}"/>`);
      if (b.fail) parts.push(`<rect class="bar fail" x="${bx}" y="${n1(base)}" width="${n1(bw)}" height="${n1(b.fail * k)}"/>`);
      if (b.unknown)
        parts.push(`<rect class="bar unknown" x="${bx}" y="${n1(base + b.fail * k)}" width="${n1(bw)}" height="${n1(b.unknown * k)}"/>`);
      g.push(
        `<g${attrs({ class: "bucket", "data-t": b.t0, "data-ok": b.ok, "data-fail": b.fail, "data-unknown": b.unknown })}>` +
          parts.join("") +
          title(`${formatT(b.t0)} – ${formatT(b.t1)}: ${b.ok} acknowledged, ${b.fail} failed, ${b.unknown} unknown (by completion time)`) +
          `</g>`,
      );
    }
    // Lost writes (no-acked-write-lost evidence), at their acknowledgement.
    const lost = r.verdicts.flatMap((v) => v.evidence).filter((e): e is LostWriteEvidence => e.type === "lost-write");
    for (const e of lost.slice(0, 300))
      g.push(
        `<g${attrs({ class: "lost-write", "data-seq": e.seq, "data-t": e.completedAt })}><path d="M${n1(x(e.completedAt) - 3)} ${n1(base - 3)}l6 6m0-6l-6 6"/>${title(e.message)}</g>`,
      );
    g.push(`</g>`);
    body.push(g.join(""));
    y = top + H + 14;
  }

  // Write latency (invocation → completion), one dot per write, merged per pixel.
  if (data.writes.length) {
    const top = y + 26;
    bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
    const H = CHART_H;
    const maxLat = data.writes.reduce((m, w) => Math.max(m, w.tEnd - w.t), 1);
    const decades = Math.max(2, Math.ceil(Math.log10(Math.max(maxLat, 10))));
    const ly = (ms: number) => top + H - (Math.log10(Math.max(1, ms)) / decades) * H;
    const g: string[] = [`<g class="chart latency">`];
    g.push(
      `<text class="chart-title" x="${L + 4}" y="${y + 10}">Write latency (invocation → completion, log scale): <tspan class="c-ok">● ok</tspan> · <tspan class="c-fail">● failed</tspan> · <tspan class="c-unknown">● unknown</tspan></text>`,
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
    body.push(g.join(""));
    y = top + H + 14;
  }

  // Replication lag per replica, bytes on a log2 scale.
  const lagNodes = [...data.lag.entries()].filter(([, pts]) => pts.length > 0).sort((a, b) => a[0].localeCompare(b[0], "en", { numeric: true }));
  if (lagNodes.length) {
    const top = y + 26;
    bgs.push(`<rect class="chart-bg" x="${L}" y="${top}" width="${PW}" height="${CHART_H}"/>`);
    const H = CHART_H;
    const maxBytes = lagNodes.reduce((m, [, pts]) => pts.reduce((mm, p) => Math.max(mm, p.bytes), m), 0);
    const topExp = Math.max(15, Math.ceil(Math.log2(1 + maxBytes) / 5) * 5);
    const ly = (b: number) => top + H - (Math.log2(1 + b) / topExp) * H;
    const gap = Math.max(2000, ((t1 - t0) / 800) * 6);
    const g: string[] = [`<g class="chart lag">`];
    g.push(
      `<text class="chart-title" x="${L + 4}" y="${y + 10}">Replication lag (primary's WAL position − replica's replay position, bytes, log scale): ` +
        lagNodes.map(([node]) => `<tspan fill="${colorOf(node)}">━ ${esc(node)}</tspan>`).join(" ") +
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
        `<path${attrs({ class: "lag-line", "data-node": node, "data-max-bytes": worst.bytes })} d="${d}" stroke="${colorOf(node)}">` +
          title(`${node} replication lag: max ${formatBytes(worst.bytes)} (${worst.bytes} bytes) at ${formatT(worst.t)}`) +
          `</path>`,
      );
    });
    g.push(`</g>`);
    body.push(g.join(""));
    y = top + H + 14;
  }

  // ---- bottom axis ----
  const contentBottom = y;
  body.push(`<g class="axis axis-bottom">`);
  for (const t of tickTs) body.push(`<text x="${n1(x(t))}" y="${contentBottom + 12}" text-anchor="middle">${esc(axisLabel(t))}</text>`);
  body.push(`<text x="${L + PW}" y="${contentBottom + 26}" text-anchor="end" class="axis-unit">seconds since the run started (history t)</text>`);
  body.push(`</g>`);
  const height = contentBottom + 32;

  // ---- grid (behind) ----
  for (const t of tickTs) back.unshift(`<line class="vgrid" x1="${n1(x(t))}" x2="${n1(x(t))}" y1="18" y2="${contentBottom}"/>`);

  // ---- fault windows: shaded behind, edges and labels in front ----
  faults.forEach(({ f, from, to }, i) => {
    const fx = x(from);
    const fw = w(from, to);
    const healed = f.healedAt !== null;
    const desc = faultText(f, t1);
    back.push(
      `<rect${attrs({
        class: `fault-window${f.ok ? "" : " fault-failed"}${healed ? "" : " unhealed"}`,
        "data-fault-id": f.id,
        "data-fault-type": f.type,
        "data-targets": f.targets.join(","),
        "data-from": from,
        "data-to": healed ? to : undefined,
        "data-healed": healed ? "true" : "false",
      })} x="${n1(fx)}" y="${faultTop}" width="${n1(fw)}" height="${contentBottom - faultTop}">${title(desc)}</rect>`,
    );
    front.push(`<line class="fault-edge" x1="${n1(fx)}" x2="${n1(fx)}" y1="${faultTop}" y2="${contentBottom}"/>`);
    if (healed) front.push(`<line class="fault-edge" x1="${n1(fx + fw)}" x2="${n1(fx + fw)}" y1="${faultTop}" y2="${contentBottom}"/>`);
    const ry = faultTop + faultRowOf[i] * 18;
    const label = `${f.id} · ${f.type} → ${f.targets.join(", ")}${healed ? "" : " (never healed)"}`;
    front.push(
      `<g${attrs({ class: `fault-label${f.ok ? "" : " fault-failed"}`, "data-fault-id": f.id })}>` +
        `<rect x="${n1(fx)}" y="${ry}" width="${n1(Math.max(fw, 8))}" height="15" rx="2"/>` +
        `<text x="${n1(fx + 4)}" y="${ry + 11}">${esc(label)}</text>${title(desc)}</g>`,
    );
  });

  // ---- evidence overlays: split brain / role conflicts / interleaved acks ----
  const overlaps = r.verdicts
    .flatMap((v) => v.evidence)
    .filter((e): e is OverlapEvidence | InterleavedAcksEvidence => e.type === "writable-overlap" || e.type === "role-overlap" || e.type === "interleaved-acks");
  const labelBoxes: { x0: number; x1: number; y: number }[] = [];
  for (const e of overlaps.slice(0, 100)) {
    const cls = e.type === "interleaved-acks" ? "interleaved" : e.severity === "split-brain" ? "split-brain" : "role-conflict";
    const parts: string[] = [];
    const ys = e.nodes.map((n) => laneY.get(n)).filter((v): v is number => v !== undefined);
    for (const ly of ys)
      parts.push(`<rect x="${n1(x(e.start) - 1.5)}" y="${ly - 2}" width="${n1(w(e.start, e.end) + 3)}" height="34" rx="2"/>`);
    if (ys.length > 1) {
      const cx = n1(x(e.start) + w(e.start, e.end) / 2);
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${Math.min(...ys) + 32}" y2="${Math.max(...ys) - 2}"/>`);
    }
    if (ys.length && cls !== "interleaved") {
      // Labelled only where it does not cover another label (the title always has the details).
      const label = `${cls === "split-brain" ? "split brain" : "role conflict"} ${formatDuration(e.durationMs)}`;
      const lw = label.length * 6.6 + 14;
      const anchorEnd = x(e.end) + 6 + lw > L + PW;
      const x0 = anchorEnd ? x(e.start) - 6 - lw : x(e.end) + 6;
      const ly = Math.min(...ys) - 4;
      if (!labelBoxes.some((b) => b.y === ly && b.x0 < x0 + lw && x0 < b.x1)) {
        labelBoxes.push({ x0, x1: x0 + lw, y: ly });
        parts.push(`<text class="evidence-label" x="${n1(x0)}" y="${ly}">⚠ ${esc(label)}</text>`);
      }
    }
    front.push(
      `<g${attrs({ class: `evidence ${cls}`, "data-type": e.type, "data-nodes": e.nodes.join(","), "data-from": e.start, "data-to": e.end })}>` +
        parts.join("") +
        title(e.message) +
        `</g>`,
    );
  }

  // ---- markers ----
  for (const { s, end, row } of stepPlacements) front.push(stepMarker(s, end, rowY(row), x));
  for (const { a, row } of actionsPlaced) front.push(actionMarker(a, rowY(row), x));
  for (const n of data.notes) {
    const nx = n1(x(n.t));
    if (n === data.clusterReady) {
      front.push(
        `<g${attrs({ class: "marker note cluster-ready", "data-t": n.t })}>` +
          `<line x1="${nx}" x2="${nx}" y1="${markersTop}" y2="${contentBottom}"/>` +
          `<path d="M${nx} ${markersTop - 1}h40v11h-40z"/>` +
          `<text x="${n1(x(n.t) + 3)}" y="${markersTop + 7.5}">ready</text>` +
          title(`${formatT(n.t)} ${n.text}`) +
          `</g>`,
      );
    } else {
      front.push(
        `<g${attrs({ class: `marker note ${n.level ?? "info"}`, "data-t": n.t })}><path d="M${nx} ${markersTop + 1}l-4 -6h8z" transform="translate(0 6)"/>${title(`${formatT(n.t)} ${n.text}`)}</g>`,
      );
    }
  }

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
    `<g class="back">${bgs.join("")}${back.join("")}</g>${body.join("")}<g class="front">${front.join("")}</g></svg>`
  );

  function sep(yy: number): void {
    body.push(`<line class="sep" x1="8" x2="${SVG_WIDTH - 8}" y1="${yy}" y2="${yy}"/>`);
  }

  function yTick(yy: number, label: string): string {
    return `<text class="ytick" x="${L - 6}" y="${n1(yy + 3.5)}" text-anchor="end">${esc(label)}</text><line class="ytick-line" x1="${L - 3}" x2="${L}" y1="${n1(yy)}" y2="${n1(yy)}"/>`;
  }
}

function faultText(f: FaultReport, t1: number): string {
  const params = f.params
    ? Object.entries(f.params)
        .filter(([k]) => !["index", "line", "label", "fault"].includes(k))
        .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
        .join(" ")
    : "";
  return (
    `fault ${f.id}: ${f.type} on ${f.targets.join(", ")}${params ? ` (${params})` : ""}\n` +
    `injected ${formatT(f.injectedAt)}, ${f.healedAt === null ? `never healed (shown to ${formatT(t1)})` : `healed ${formatT(f.healedAt)} (${formatDuration(f.healedAt - f.injectedAt)})`}` +
    (f.ok ? "" : `\nNOT OK${f.error ? `: ${f.error}` : ""}`)
  );
}

function stepMarker(s: StepReport, end: number, cy: number, x: (t: number) => number): string {
  const cls = s.type === "expect" || s.type === "probe" ? s.type : `step-${s.type}`;
  const num = String(s.index + 1);
  const ex = x(end);
  const sx = x(s.tStart);
  const round = s.type === "expect" || s.type === "probe";
  const r = 7.5;
  const bw = Math.max(15, num.length * 6.5 + 7);
  const badge = round
    ? `<circle class="badge" cx="${n1(ex)}" cy="${cy}" r="${r}"/>`
    : `<rect class="badge" x="${n1(ex - bw / 2)}" y="${cy - 7}" width="${n1(bw)}" height="14" rx="3"/>`;
  const tip =
    `step ${num} ${s.type}${s.line !== undefined ? ` (line ${s.line})` : ""}: ${s.text}\n` +
    `${s.outcome.toUpperCase()}${s.detail ? `: ${s.detail}` : ""}\n` +
    `${formatT(s.tStart)} → ${s.tEnd === null ? "(unfinished)" : `${formatT(s.tEnd)} (${formatDuration(s.tEnd - s.tStart)})`}`;
  return (
    `<a href="#step-${num}">` +
    `<g${attrs({ class: `marker ${cls} ${s.outcome}`, "data-step": s.index + 1, "data-step-id": s.id, "data-type": s.type, "data-from": s.tStart, "data-to": s.tEnd ?? undefined })}>` +
    (ex - sx > 2 ? `<line class="step-span" x1="${n1(sx)}" x2="${n1(ex)}" y1="${cy}" y2="${cy}"/><line class="step-start" x1="${n1(sx)}" x2="${n1(sx)}" y1="${cy - 4}" y2="${cy + 4}"/>` : "") +
    badge +
    `<text x="${n1(ex)}" y="${cy + 3.5}" text-anchor="middle">${num}</text>` +
    title(tip) +
    `</g></a>`
  );
}

function actionMarker(a: ActionReport, cy: number, x: (t: number) => number): string {
  const ax = x(a.t);
  const ex = x(a.tEnd);
  const tip =
    `action ${a.id}: ${a.action} ${a.ok ? "ok" : "FAILED"}${a.status !== undefined ? ` (HTTP ${a.status})` : ""}\n` +
    `${formatT(a.t)} → ${formatT(a.tEnd)} (${formatDuration(a.tEnd - a.t)})` +
    `${a.error ? `\n${truncate(a.error, 400)}` : ""}${a.body ? `\n${truncate(a.body, 400)}` : ""}`;
  return (
    `<g${attrs({ class: `marker action ${a.ok ? "ok" : "failed"}`, "data-action": a.action, "data-action-id": a.id, "data-status": a.status, "data-from": a.t, "data-to": a.tEnd })}>` +
    (ex - ax > 2 ? `<line class="step-span" x1="${n1(ax)}" x2="${n1(ex)}" y1="${cy}" y2="${cy}"/>` : "") +
    `<path class="badge" d="M${n1(ax)} ${cy - 7}l7 7-7 7-7-7z"/>` +
    `<text x="${n1(ax + 10)}" y="${cy + 3.5}">${esc(a.action)}${a.status !== undefined ? ` ${a.status}` : ""}</text>` +
    title(tip) +
    `</g>`
  );
}
