/** "No acks" windows per write path, from the write-availability verdict's evidence. 15 px per path. */
import type { UnavailabilityWindowEvidence } from "../../checker/checker.js";
import type { RunReport } from "../model.js";
import { attrs, esc, n1 } from "../html-util.js";
import { formatDuration } from "../text.js";
import { type Canvas, type LaneModule, L, PW, title } from "./canvas.js";

/** The write-availability checker's windows without an acknowledged write, and their paths (sorted). */
export function unavailabilityWindows(r: RunReport): { windows: UnavailabilityWindowEvidence[]; vias: string[] } {
  const windows = r.verdicts
    .filter((v) => v.checker === "write-availability")
    .flatMap((v) => v.evidence)
    .filter((e): e is UnavailabilityWindowEvidence => e.type === "unavailability-window");
  return { windows, vias: [...new Set(windows.map((e) => e.via))].sort() };
}

export const availabilityLanes: LaneModule = {
  name: "availability",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { x, w } = c;
  const { windows, vias } = unavailabilityWindows(c.r);
  if (vias.length) c.y += 3;
  for (const via of vias) {
    const ly = c.y;
    const g: string[] = [`<g${attrs({ class: "lane availability", "data-via": via })}>`];
    g.push(`<text class="lane-label small" x="${L - 10}" y="${ly + 10}" text-anchor="end">no acks${via === "all" ? "" : ` (${esc(via)})`}</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="12"/>`);
    for (const e of windows.filter((ev) => ev.via === via))
      g.push(
        `<rect${attrs({ class: "unavailability", "data-via": via, "data-from": e.start, "data-to": e.end })} x="${n1(x(e.start))}" y="${ly}" width="${n1(w(e.start, e.end))}" height="12">` +
          title(e.message) +
          `</rect>` +
          (w(e.start, e.end) > 60 ? `<text class="unavailability-text" x="${n1(x(e.start) + 4)}" y="${ly + 9.5}">${esc(formatDuration(e.durationMs))}</text>` : ""),
      );
    g.push(`</g>`);
    c.body.push(g.join(""));
    c.y += 15;
  }
}
