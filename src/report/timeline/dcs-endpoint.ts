/**
 * Incident 2: the etcd member each Patroni node talks to (its most recently active client
 * connection, from the recorder's socket-table samples), with a red stripe where that member's
 * /health failed. Reads "dcs-endpoint" samples and data.etcd. 17 px per node.
 */
import type { DcsEndpointSample } from "../../history/events.js";
import { type Run, runsOf } from "../html-data.js";
import { naturalCompare } from "../html-util.js";
import { type Canvas, type LaneModule } from "./canvas.js";
import { drawBands, overlaps } from "./bands.js";

/** Colours of etcd members: no red (red marks trouble), apart in greyscale print. */
export const ETCD_COLORS = ["#5f3dc4", "#2b8a3e", "#1c7ed6", "#a07000", "#495057", "#087f5b", "#862e9c"];
const UNKNOWN = "?";

/** Per node: runs of its current etcd member ("?": unread or no active connection). */
export function endpointRuns(c: Pick<Canvas, "r" | "t1">): Map<string, Run<string>[]> {
  const samples = c.r.events.filter((e): e is DcsEndpointSample => e.kind === "dcs-endpoint").sort((a, b) => a.t - b.t);
  const out = new Map<string, Run<string>[]>();
  for (const node of [...new Set(samples.map((s) => s.node))].sort(naturalCompare))
    out.set(node, runsOf(samples.filter((s) => s.node === node), (s) => (s.error || !s.current ? UNKNOWN : s.current), c.t1));
  return out;
}

export const dcsEndpointLanes: LaneModule = {
  name: "dcs-endpoint",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const byNode = endpointRuns(c);
  if (![...byNode.values()].some((runs) => runs.some((r) => r.value !== UNKNOWN))) return;
  const members = c.data.etcd.map((e) => e.member);
  const colour = (m: string) => (m === UNKNOWN ? undefined : ETCD_COLORS[Math.max(0, members.indexOf(m)) % ETCD_COLORS.length]);
  const unhealthy = new Map(c.data.etcd.map((e) => [e.member, e.health.filter((h) => h.value === "unhealthy")]));
  drawBands<string>(
    c,
    {
      cls: "dcs-endpoint",
      id: "lanes-dcs-endpoint",
      legend:
        `etcd member each Patroni node talks to: ` +
        members.map((m) => `<tspan fill="${colour(m)}">■ ${m}</tspan>`).join(" ") +
        ` · <tspan class="c-alert">▬ that member failed /health</tspan>`,
    },
    [...byNode].map(([node, runs]) => ({
      label: `${node} → etcd`,
      key: { "data-node": node },
      runs,
      cls: (v) => (v === UNKNOWN ? "endpoint-unknown" : "endpoint"),
      fill: colour,
      text: (v) => v,
      tip: (run) =>
        run.value === UNKNOWN ? `${node}: no active etcd connection seen (or the socket table was unreadable)` : `${node} talks to etcd ${run.value} (its most recently active client connection)`,
      alerts: runs.flatMap((r) =>
        r.value === UNKNOWN
          ? []
          : overlaps([r], unhealthy.get(r.value) ?? [], () => true).map((o) => ({ from: o.from, to: o.to, tip: `${node} talks to ${r.value}, whose /health failed` })),
      ),
    })),
  );
}
