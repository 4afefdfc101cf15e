import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Scenario } from "../scenario/schema.js";
import type { RunReport } from "../report/model.js";
import { median } from "../bench/stats.js";

/**
 * What one run costs the machine on average over its life (start-up, steps, settle, teardown),
 * in cores: the core-seconds its containers and its harness spent (report.durations.cpu,
 * measured at teardown) over its wall time. Skipped and errored runs say nothing about a lab.
 */
export function runCoreShare(r: Pick<RunReport, "durations" | "outcome">): number | undefined {
  const cpu = r.durations.cpu;
  if (!cpu || r.outcome === "skipped" || r.outcome === "error" || r.durations.totalMs < 5000) return undefined;
  return (cpu.labCoreSec + cpu.harnessCoreSec) / (r.durations.totalMs / 1000);
}

/**
 * The cores one lab needs, learnt as the game day goes: the median share of the runs that ended
 * (runCoreShare), once `minRuns` have; until then the prior (jobs.ts LAB_NEEDS, measured by the
 * bench). The median, so that one run that waited long on a timeout or one busy start-up does
 * not swing the pool.
 */
export class LabCostLearner {
  private readonly shares: number[] = [];

  constructor(
    private readonly prior: number,
    private readonly minRuns = 3,
  ) {}

  learn(r: Pick<RunReport, "durations" | "outcome">): void {
    const s = runCoreShare(r);
    if (s !== undefined && Number.isFinite(s) && s > 0) this.shares.push(s);
  }

  /** Cores one lab needs, and where the figure comes from. */
  need(): { cores: number; from: string } {
    if (this.shares.length < this.minRuns) return { cores: this.prior, from: "prior" };
    return { cores: median(this.shares), from: `median of ${this.shares.length} runs` };
  }
}

/**
 * How long each scenario is expected to run, for longest-first scheduling: the median wall time
 * of its runs in the last `games` game days under `reportsDir` (their summary.json), else an
 * estimate from its own steps (scenarioEstimateMs). Keyed by scenario name and stack.
 */
export function expectedDurations(reportsDir: string, games = 5): Map<string, number> {
  const seen = new Map<string, number[]>();
  let dirs: string[] = [];
  try {
    dirs = readdirSync(reportsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .reverse();
  } catch {
    return new Map();
  }
  let read = 0;
  for (const d of dirs) {
    if (read >= games) break;
    let summary: { runs?: { scenario?: string; stack?: string; durationMs?: number; outcome?: string }[] };
    try {
      summary = JSON.parse(readFileSync(path.join(reportsDir, d, "summary.json"), "utf8"));
    } catch {
      continue;
    }
    read++;
    for (const r of summary.runs ?? []) {
      if (!r.scenario || typeof r.durationMs !== "number" || r.outcome === "skipped") continue;
      const k = durationKey(r.scenario, r.stack);
      seen.set(k, [...(seen.get(k) ?? []), r.durationMs]);
    }
  }
  return new Map([...seen].map(([k, xs]) => [k, median(xs)]));
}

export const durationKey = (scenario: string, stack?: string) => `${scenario}@${stack ?? ""}`;

/** Start-up and teardown of a lab, which every run pays (bench: about 8 s and 2 s). */
const LAB_OVERHEAD_MS = 10_000;
/** An expectation usually holds well before its budget: count this much of a long `within`. */
const EXPECT_GUESS_MS = 15_000;

/**
 * A scenario's run time as its steps say it, without any earlier run: sleeps, fault durations and
 * `for:` holds in full, each `within:` up to EXPECT_GUESS_MS, the settle and the lab's overhead.
 * Only the order it gives matters (longest first).
 */
export function scenarioEstimateMs(s: Pick<Scenario, "steps" | "settle">): number {
  let ms = LAB_OVERHEAD_MS + (s.settle ?? 0);
  for (const step of s.steps) {
    const st = step as { kind: string; sleep?: number; within?: number; for?: number; duration?: number };
    if (st.kind === "sleep") ms += st.sleep ?? 0;
    else if (st.kind === "expect") ms += (st.for ?? 0) + Math.min(st.within ?? 0, EXPECT_GUESS_MS);
    else ms += 2000 + (typeof st.duration === "number" ? st.duration : 0);
  }
  return ms;
}
