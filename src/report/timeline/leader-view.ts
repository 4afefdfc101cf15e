/**
 * Incident 3: the leader in each node's watch-fed DCS cache against the real leader key. Reads
 * the DCS proxy's "leader-view" events (what it fed each node's watch stream; recorded only when
 * the lab runs topology.dcs_proxy) and data.dcs (the leader key through a healthy path). A red
 * stripe marks where a node's cache differs from the key. 17 px per node.
 */
import type { DcsProxyEvent } from "../../history/events.js";
import type { Run } from "../html-data.js";
import { naturalCompare } from "../html-util.js";
import { type Canvas, type LaneModule } from "./canvas.js";
import { drawBands, overlaps, stepRuns } from "./bands.js";

const NONE = "(none)";

/** Per node: runs of the leader its cache was fed ("(none)": no leader key), to the end of the domain. */
export function cachedLeaderRuns(c: Pick<Canvas, "r" | "t1">): Map<string, Run<string>[]> {
  const views = c.r.events.filter((e): e is DcsProxyEvent => e.kind === "dcs-proxy" && e.action === "leader-view").sort((a, b) => a.t - b.t);
  const out = new Map<string, Run<string>[]>();
  for (const node of [...new Set(views.map((v) => v.node))].sort(naturalCompare))
    out.set(node, stepRuns(views.filter((v) => v.node === node).map((v) => ({ t: v.t, value: v.leader ?? NONE })), c.t1));
  return out;
}

export const leaderViewLanes: LaneModule = {
  name: "leader-view",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const byNode = cachedLeaderRuns(c);
  if (!byNode.size) return;
  // The real leader key; unreadable stretches are not compared.
  const real: Run<string>[] = c.data.dcs.filter((d) => d.state !== "unreadable").map((d) => ({ ...d, value: d.leader ?? NONE }));
  drawBands<string>(
    c,
    {
      cls: "leader-view",
      id: "lanes-leader-view",
      legend:
        `Leader in each node's watch-fed DCS cache (colour: the holder; grey: no leader key) · ` +
        `<tspan class="c-alert">▬ differs from the real leader key</tspan>`,
    },
    [...byNode].map(([node, runs]) => ({
      label: `${node} cache`,
      key: { "data-node": node },
      runs,
      cls: (v) => (v === NONE ? "cached-none" : "cached-leader"),
      fill: (v) => (v === NONE ? undefined : c.colorOf(v)),
      text: (v) => v,
      tip: (run) => `${node}'s cache (fed by its watch stream): leader ${run.value === NONE ? "key absent" : run.value}`,
      alerts: overlaps(runs, real, (a, b) => a !== b).map((o) => ({
        from: o.from,
        to: o.to,
        tip: `${node}'s cache says ${o.a === NONE ? "no leader" : o.a}, the leader key says ${o.b === NONE ? "no leader" : o.b}: stale cache`,
      })),
    })),
  );
}
