/** One thin lane per etcd member: /health over time and the raft leader's star. Reads data.etcd (DCS samples). 17 px per member. */
import { attrs, esc, n1 } from "../html-util.js";
import { type Canvas, type LaneModule, L, PW, sep, span, title } from "./canvas.js";

export const etcdLanes: LaneModule = {
  name: "etcd",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const { x, w, data } = c;
  if (data.etcd.length) {
    sep(c, c.y - 2);
    c.y += 5;
  }
  for (const lane of data.etcd) {
    const ly = c.y;
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
    c.body.push(g.join(""));
    c.y += 17;
  }
}
