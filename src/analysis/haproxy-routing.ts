import type { HaproxySample, HistoryEvent } from "../history/events.js";

/**
 * HAProxy's primary port over the run, from the recorded samples: one line listing each
 * period with the same servers UP ("none" = no server: clients of port 5000 cannot connect),
 * for the report's notes. Failed reads of the statistics are skipped. Pure function.
 */
export function haproxyRoutingNote(events: readonly HistoryEvent[]): string | undefined {
  const samples = events.filter((e): e is HaproxySample => e.kind === "haproxy" && !e.error);
  if (!samples.length) return undefined;
  const periods: { who: string; from: number; to: number }[] = [];
  for (const s of samples) {
    const who = s.primary.length ? s.primary.join("+") : "none";
    const last = periods[periods.length - 1];
    if (last && last.who === who) last.to = s.t;
    else {
      if (last) last.to = s.t;
      periods.push({ who, from: s.t, to: s.t });
    }
  }
  const at = (t: number) => `+${(t / 1000).toFixed(1)}s`;
  const none = periods.filter((p) => p.who === "none").reduce((a, p) => a + p.to - p.from, 0);
  return (
    `HAProxy primary port (5000) routed to: ${periods.map((p) => `${p.who} ${at(p.from)}→${at(p.to)} (${((p.to - p.from) / 1000).toFixed(1)} s)`).join(", ")}` +
    `; no server for ${(none / 1000).toFixed(1)} s in all.`
  );
}
