/**
 * One lane per Patroni node: role (REST API), writability and streaming (its PostgreSQL),
 * timeline changes and Patroni's own log marks; overlaid, the checkers' evidence of split brain,
 * role conflicts and interleaved acknowledgements framing the nodes involved, and as a note
 * (not a failure) a primary claim of a node shutting down that single-primary did not count. Reads data.nodes
 * (node samples, log lines) and the verdicts' evidence. 48 px per node.
 */
import type { InterleavedAcksEvidence, OverlapEvidence, StoppingClaimEvidence } from "../../checker/checker.js";
import type { RoleClass } from "../html-data.js";
import { attrs, esc, n1, truncate } from "../html-util.js";
import { formatDuration, formatT } from "../text.js";
import { type Canvas, type LaneModule, L, PW, span, title } from "./canvas.js";

const ROLE_TEXT: Record<RoleClass, string> = {
  primary: "primary",
  replica: "replica",
  "standby-leader": "standby leader",
  demoted: "demoted",
  down: "down",
  unknown: "unknown",
};

export const patroniLanes: LaneModule = {
  name: "patroni",
  overlayOrder: 2,
  create: () => ({ draw, overlay }),
};

function draw(c: Canvas): void {
  const { x, w } = c;
  for (const lane of c.data.nodes) {
    const ly = c.y;
    c.laneY.set(lane.node, ly);
    const g: string[] = [];
    g.push(`<g${attrs({ class: "lane patroni", "data-node": lane.node, id: `lane-${lane.node}` })}>`);
    g.push(`<text class="lane-label" x="${L - 10}" y="${ly + 15}" text-anchor="end">${esc(lane.node)}</text>`);
    g.push(`<text class="lane-sublabel" x="${L - 10}" y="${ly + 27}" text-anchor="end">writable</text>`);
    g.push(`<text class="lane-sublabel" x="${L - 10}" y="${ly + 35}" text-anchor="end">streaming</text>`);
    g.push(`<rect class="lane-bg" x="${L}" y="${ly}" width="${PW}" height="20"/>`);
    const tlXs = lane.timelineChanges.map((ch) => x(ch.t));
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
    for (const ch of lane.timelineChanges)
      g.push(
        `<text${attrs({ class: "timeline-label", "data-node": lane.node, "data-timeline": ch.timeline, "data-t": ch.t })} x="${n1(x(ch.t) + 3)}" y="${ly + 14}">` +
          `TL${ch.timeline}${title(`${lane.node}: PostgreSQL timeline ${ch.timeline}${ch.previous === null ? "" : ` (was ${ch.previous})`} from ${formatT(ch.t)}`)}</text>`,
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
    c.body.push(g.join(""));
    c.y += 48;
  }
}

/**
 * Split brain / role conflicts / interleaved acks, framing the lanes of the nodes involved; a
 * stopping node's uncounted primary claim framed on its own lane only, as a note.
 */
function overlay(c: Canvas): void {
  const { x, w, laneY } = c;
  const overlaps = c.r.verdicts
    .flatMap((v) => v.evidence)
    .filter(
      (e): e is OverlapEvidence | InterleavedAcksEvidence | StoppingClaimEvidence =>
        e.type === "writable-overlap" || e.type === "role-overlap" || e.type === "interleaved-acks" || e.type === "stopping-claim",
    );
  const labelBoxes: { x0: number; x1: number; y: number }[] = [];
  for (const e of overlaps.slice(0, 100)) {
    const cls =
      e.type === "interleaved-acks" ? "interleaved" : e.type === "stopping-claim" ? "stopping-claim" : e.severity === "split-brain" ? "split-brain" : "role-conflict";
    const parts: string[] = [];
    const ys = (e.type === "stopping-claim" ? [e.node] : e.nodes).map((n) => laneY.get(n)).filter((v): v is number => v !== undefined);
    for (const ly of ys)
      parts.push(`<rect x="${n1(x(e.start) - 1.5)}" y="${ly - 2}" width="${n1(w(e.start, e.end) + 3)}" height="34" rx="2"/>`);
    if (ys.length > 1) {
      const cx = n1(x(e.start) + w(e.start, e.end) / 2);
      parts.push(`<line x1="${cx}" x2="${cx}" y1="${Math.min(...ys) + 32}" y2="${Math.max(...ys) - 2}"/>`);
    }
    if (ys.length && cls !== "interleaved") {
      // Labelled only where it does not cover another label (the title always has the details).
      const label =
        cls === "stopping-claim"
          ? `primary claim while stopping, not counted ${formatDuration(e.durationMs)}`
          : `${cls === "split-brain" ? "split brain" : "role conflict"} ${formatDuration(e.durationMs)}`;
      const lw = label.length * 6.6 + 14;
      const anchorEnd = x(e.end) + 6 + lw > L + PW;
      const x0 = anchorEnd ? x(e.start) - 6 - lw : x(e.end) + 6;
      const ly = Math.min(...ys) - 4;
      if (!labelBoxes.some((b) => b.y === ly && b.x0 < x0 + lw && x0 < b.x1)) {
        labelBoxes.push({ x0, x1: x0 + lw, y: ly });
        parts.push(`<text class="evidence-label" x="${n1(x0)}" y="${ly}">${cls === "stopping-claim" ? "ℹ" : "⚠"} ${esc(label)}</text>`);
      }
    }
    c.front.push(
      `<g${attrs({ class: `evidence ${cls}`, "data-type": e.type, "data-nodes": e.nodes.join(","), "data-from": e.start, "data-to": e.end })}>` +
        parts.join("") +
        title(e.message) +
        `</g>`,
    );
  }
}
