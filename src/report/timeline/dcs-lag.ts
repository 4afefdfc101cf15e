/**
 * Incident 4: the lag column Patroni publishes (each member key's xlog_location against the
 * leader's, as patronictl shows it; up to loop_wait old) against the real replication lag (the
 * primary's WAL position minus the replica's replay position, sampled from each node). Reads
 * the DCS samples' dcsLagBytes and data.lag. Appears when the DCS samples carry the column.
 */
import type { DcsSample } from "../../history/events.js";
import { esc, formatBytes, naturalCompare } from "../html-util.js";
import { type Canvas, type LaneModule, CHART_H } from "./canvas.js";
import { type ChartLine, drawLineChart } from "./line-chart.js";

/** Per member: the DCS lag column over time, bytes. */
export function dcsLagPoints(c: Pick<Canvas, "r">): Map<string, { t: number; v: number }[]> {
  const out = new Map<string, { t: number; v: number }[]>();
  for (const s of c.r.events.filter((e): e is DcsSample => e.kind === "dcs" && !!e.dcsLagBytes).sort((a, b) => a.t - b.t))
    for (const [m, v] of Object.entries(s.dcsLagBytes ?? {})) {
      let pts = out.get(m);
      if (!pts) out.set(m, (pts = []));
      pts.push({ t: s.t, v });
    }
  return out;
}

export const dcsLagChart: LaneModule = {
  name: "dcs-lag",
  create: () => ({ draw }),
};

function draw(c: Canvas): void {
  const published = dcsLagPoints(c);
  if (!published.size) return;
  const nodes = [...new Set([...published.keys(), ...[...c.data.lag.keys()].filter((n) => published.has(n))])].sort(naturalCompare);
  const real = (n: string) => (c.data.lag.get(n) ?? []).map((p) => ({ t: p.t, v: p.bytes }));
  const maxBytes = Math.max(0, ...nodes.flatMap((n) => [...(published.get(n) ?? []), ...real(n)].map((p) => p.v)));
  const topExp = Math.max(15, Math.ceil(Math.log2(1 + maxBytes) / 5) * 5);
  const worst = (pts: { v: number }[]) => pts.reduce((m, p) => Math.max(m, p.v), 0);
  const lines: ChartLine[] = nodes.flatMap((n) => [
    {
      node: n,
      style: "solid" as const,
      cls: "real-lag",
      points: real(n),
      gapMs: 2000,
      tip: `${n} real replication lag (from the nodes): max ${formatBytes(worst(real(n)))}`,
    },
    {
      node: n,
      style: "dashed" as const,
      cls: "dcs-lag",
      points: published.get(n) ?? [],
      step: true,
      tip: `${n} lag column in the DCS (its member key's xlog_location against the leader's, as patronictl list shows): max ${formatBytes(worst(published.get(n) ?? []))}`,
    },
  ]);
  drawLineChart(
    c,
    {
      cls: "dcs-lag",
      label: "DCS lag",
      legend:
        `Lag column in the DCS (╌ dashed, what patronictl list shows) against the real replication lag (━ solid), bytes, log scale: ` +
        nodes.map((n) => `<tspan fill="${c.colorOf(n)}">${esc(n)}</tspan>`).join(" "),
      scale: (top) => ({
        y: (b) => top + CHART_H - (Math.log2(1 + b) / topExp) * CHART_H,
        ticks: [{ v: 0, label: "0" }, ...Array.from({ length: topExp / 5 - 1 }, (_, i) => 2 ** (10 + i * 5)).map((b) => ({ v: b, label: formatBytes(b) }))],
      }),
    },
    lines,
  );
}
