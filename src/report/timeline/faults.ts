/** Fault windows: a labelled row per overlapping fault at the top, the window shaded down the whole timeline. Reads r.faults. */
import type { FaultReport } from "../model.js";
import { attrs, esc, n1 } from "../html-util.js";
import { formatDuration, formatT } from "../text.js";
import { type Canvas, type LaneModule, L, title } from "./canvas.js";

export const faultsLane: LaneModule = {
  name: "faults",
  overlayOrder: 1,
  create() {
    let faults: { f: FaultReport; from: number; to: number }[] = [];
    let faultRowOf: number[] = [];
    return {
      draw(c: Canvas) {
        const { x, w } = c;
        faults = c.r.faults.map((f) => ({ f, from: f.injectedAt, to: f.healedAt ?? c.t1 }));
        const faultRows: number[] = [];
        // Overlapping faults (or labels wider than their window) go to separate rows.
        faultRowOf = faults.map(({ from, to, f }) => {
          const labelW = Math.max(w(from, to), 6.2 * (f.id.length + f.type.length + f.targets.join(", ").length + 8));
          let row = faultRows.findIndex((end) => end + 4 <= x(from));
          if (row < 0) row = faultRows.push(0) - 1;
          faultRows[row] = x(from) + labelW;
          return row;
        });
        c.faultTop = c.y;
        if (faults.length) {
          c.body.push(`<text class="lane-label" x="${L - 10}" y="${c.y + 12}" text-anchor="end">faults</text>`);
          c.y += faultRows.length * 18 + 2;
        }
      },
      // Shaded behind, edges and labels in front.
      overlay(c: Canvas) {
        const { x, w, faultTop, contentBottom } = c;
        faults.forEach(({ f, from, to }, i) => {
          const fx = x(from);
          const fw = w(from, to);
          const healed = f.healedAt !== null;
          const desc = faultText(f, c.t1);
          c.back.push(
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
          c.front.push(`<line class="fault-edge" x1="${n1(fx)}" x2="${n1(fx)}" y1="${faultTop}" y2="${contentBottom}"/>`);
          if (healed) c.front.push(`<line class="fault-edge" x1="${n1(fx + fw)}" x2="${n1(fx + fw)}" y1="${faultTop}" y2="${contentBottom}"/>`);
          const ry = faultTop + faultRowOf[i] * 18;
          const label = `${f.id} · ${f.type} → ${f.targets.join(", ")}${healed ? "" : " (never healed)"}`;
          c.front.push(
            `<g${attrs({ class: `fault-label${f.ok ? "" : " fault-failed"}`, "data-fault-id": f.id })}>` +
              `<rect x="${n1(fx)}" y="${ry}" width="${n1(Math.max(fw, 8))}" height="15" rx="2"/>` +
              `<text x="${n1(fx + 4)}" y="${ry + 11}">${esc(label)}</text>${title(desc)}</g>`,
          );
        });
      },
    };
  },
};

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
