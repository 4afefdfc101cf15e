/** Step, action and note markers: their own rows under the faults, each also a line down the timeline. Reads r.steps, r.actions and the notes. */
import type { ActionReport, StepReport } from "../model.js";
import { attrs, esc, n1, truncate } from "../html-util.js";
import { formatDuration, formatT } from "../text.js";
import { type Canvas, type LaneModule, L, sep, title } from "./canvas.js";

const MAX_MARKER_ROWS = 4;

export const markersLane: LaneModule = {
  name: "markers",
  overlayOrder: 3,
  create() {
    let stepPlacements: { s: StepReport; end: number; row: number }[] = [];
    let actionsPlaced: { a: ActionReport; row: number }[] = [];
    let rowY = (_row: number) => 0;
    return {
      draw(c: Canvas) {
        const { r, x, t1 } = c;
        const markersTop = (c.markersTop = c.y);
        const rowsEnd: number[] = [];
        const placeRow = (xPos: number, width: number) => {
          let row = rowsEnd.findIndex((end) => end + 3 <= xPos - width / 2);
          if (row < 0 && rowsEnd.length < MAX_MARKER_ROWS) row = rowsEnd.push(-Infinity) - 1;
          // All rows taken here: overlap in the row that frees up first.
          if (row < 0) row = rowsEnd.indexOf(Math.min(...rowsEnd));
          rowsEnd[row] = xPos + width / 2;
          return row;
        };
        stepPlacements = r.steps.map((s) => {
          const end = s.tEnd ?? t1;
          const label = String(s.index + 1);
          return { s, end, row: placeRow(x(end), Math.max(16, label.length * 7 + 8)) };
        });
        const actionRowBase = rowsEnd.length;
        actionsPlaced = r.actions.map((a) => ({ a, row: actionRowBase }));
        const markerRows = Math.max(1, rowsEnd.length + (r.actions.length ? 1 : 0));
        rowY = (row: number) => markersTop + 16 + row * 19;
        const markersHeight = 16 + markerRows * 19;
        c.body.push(`<text class="lane-label" x="${L - 10}" y="${markersTop + 20}" text-anchor="end">steps</text>`);
        if (r.actions.length) c.body.push(`<text class="lane-sublabel" x="${L - 10}" y="${rowY(actionRowBase) + 4}" text-anchor="end">actions</text>`);
        c.y += markersHeight + 2;
        sep(c, c.y);
        c.y += 6;
      },
      overlay(c: Canvas) {
        const { x, data, markersTop, contentBottom } = c;
        for (const { s, end, row } of stepPlacements) c.front.push(stepMarker(s, end, rowY(row), x));
        for (const { a, row } of actionsPlaced) c.front.push(actionMarker(a, rowY(row), x));
        for (const n of data.notes) {
          const nx = n1(x(n.t));
          if (n === data.clusterReady) {
            c.front.push(
              `<g${attrs({ class: "marker note cluster-ready", "data-t": n.t })}>` +
                `<line x1="${nx}" x2="${nx}" y1="${markersTop}" y2="${contentBottom}"/>` +
                `<path d="M${nx} ${markersTop - 1}h40v11h-40z"/>` +
                `<text x="${n1(x(n.t) + 3)}" y="${markersTop + 7.5}">ready</text>` +
                title(`${formatT(n.t)} ${n.text}`) +
                `</g>`,
            );
          } else {
            c.front.push(
              `<g${attrs({ class: `marker note ${n.level ?? "info"}`, "data-t": n.t })}><path d="M${nx} ${markersTop + 1}l-4 -6h8z" transform="translate(0 6)"/>${title(`${formatT(n.t)} ${n.text}`)}</g>`,
            );
          }
        }
      },
    };
  },
};

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
