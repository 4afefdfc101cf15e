/** The DCS leader key as a healthy etcd path reads it: holder, absent, or unreadable. Reads data.dcs (DCS samples). 22 px. */
import { attrs, esc, n1 } from "../html-util.js";
import { type Canvas, type LaneModule, L, PW, span, title } from "./canvas.js";

export const dcsLeaderLane: LaneModule = {
  name: "dcs-leader",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { x, w, data } = c;
  if (!data.dcs.length) return;
  c.y += 3;
  const ly = c.y;
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
        `<rect x="${n1(x(run.from))}" y="${ly}" width="${n1(w(run.from, run.to))}" height="18"${run.state === "leader" ? ` fill="${c.colorOf(run.leader as string)}"` : ""}/>` +
        (w(run.from, run.to) > label.length * 6.5 + 8 ? `<text x="${n1(x(run.from) + 4)}" y="${ly + 13}">${esc(label)}</text>` : "") +
        title(`${detail}\n${span(run.from, run.to)}${run.members.length ? `\nmember keys: ${run.members.join(", ")}` : ""}`) +
        `</g>`,
    );
  }
  g.push(`</g>`);
  c.body.push(g.join(""));
  c.y += 22;
}
