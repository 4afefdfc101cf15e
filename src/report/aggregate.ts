import type { RunReport } from "./model.js";

/**
 * Repeated runs of one scenario, summed up: how often each outcome came (with a 95% Wilson
 * interval), the first run that did not pass, each checker figure's distribution over the
 * runs, how often each checker failed (the split-brain rate is single-primary's, with its 95%
 * Wilson interval), and how often each known issue showed. Outcomes are plain strings here: an outcome
 * this module has never heard of is counted like any other.
 */
export interface ScenarioAggregate {
  scenario: string;
  /**
   * The stack these runs ran on, when the scenario ran on more than one (a matrix game day): runs
   * on different stacks are not repeats of one another, so each stack gets its own aggregate.
   */
  stack?: string;
  runs: number;
  /** Runs per outcome ("pass", "fail", "error", or any other outcome a report carries). */
  outcomes: Record<string, number>;
  /** Per outcome: the share of runs with a 95% Wilson score interval. */
  rates: Record<string, Rate>;
  /** The earliest run (by repeat number, then start time) whose outcome is neither "pass" nor "skipped" (a skipped run did not run). */
  firstFailing?: { repeat?: number; runId: string; outcome: string; report: string };
  /** Per checker, in order of first appearance: how many runs it judged, failed and could not judge. */
  checkers: CheckerRate[];
  figures: FigureDistribution[];
  /** Known issues the reports list (`knownIssues: [{id, showed}]`): in how many runs each was listed and showed. */
  knownIssues: { id: string; runs: number; showed: number }[];
}

export interface Rate {
  count: number;
  rate: number;
  low: number;
  high: number;
}

/**
 * How often one checker failed over the runs that have its verdict. `failed` counts definite
 * failures only; `unknown` verdicts (the history could not decide) are counted apart and are
 * not in the rate's denominator, so an undecided run never reads as "no split brain".
 */
export interface CheckerRate {
  checker: string;
  /** Runs with a definite verdict of this checker (ok or failed). */
  judged: number;
  failed: number;
  unknown: number;
  /** failed / judged with a 95% Wilson interval (0/0 gives the whole [0, 1]). */
  rate: Rate;
  /** For people: "single-primary failed 0/10 = 0% (95% CI 0%–28%)". */
  text: string;
}

export interface FigureDistribution {
  checker: string;
  figure: string;
  /** One entry per run that reported the figure, in run order. */
  values: number[];
  /** Per value: the run it came from (1-based position among the scenario's runs, in run order), and the run's stack when known. */
  runs?: { run: number; stack?: string }[];
  /** For people, e.g. "0 s in 18 runs, about 0.6 s in 2". */
  text: string;
}

const Z95 = 1.959963984540054;

/** Wilson score interval for `k` successes in `n` trials (95% by default); [0, 1] for n = 0. */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } {
  if (n <= 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // (exact bounds at 0 and n: the formula gives them only up to rounding)
  return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}

export interface AggregateRun {
  report: RunReport;
  /** 1-based repeat number when the scenario was repeated. */
  repeat?: number;
  /** Link to the run's report as the index shows it. */
  link: string;
}

/** Aggregates per scenario name, in order of first appearance. */
export function aggregateRuns(runs: readonly AggregateRun[]): ScenarioAggregate[] {
  const stacksOf = new Map<string, Set<string | undefined>>();
  for (const r of runs) stacksOf.set(r.report.scenario.name, (stacksOf.get(r.report.scenario.name) ?? new Set()).add(r.report.versions.stack));
  const groups = new Map<string, { scenario: string; stack?: string; runs: AggregateRun[] }>();
  for (const r of runs) {
    const scenario = r.report.scenario.name;
    const stack = stacksOf.get(scenario)!.size > 1 ? (r.report.versions.stack ?? OWN_IMAGE) : undefined;
    const k = JSON.stringify([scenario, stack]);
    const g = groups.get(k) ?? { scenario, ...(stack !== undefined ? { stack } : {}), runs: [] };
    g.runs.push(r);
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => ({ ...aggregateScenario(g.scenario, g.runs), ...(g.stack !== undefined ? { stack: g.stack } : {}) }));
}

/** What a run on a user's own image (no pgchaos stack) is grouped under beside runs on stacks. */
const OWN_IMAGE = "own image";

/** The aggregate's name for people: the scenario, and its stack when it has one. */
export function aggregateLabel(a: Pick<ScenarioAggregate, "scenario" | "stack">): string {
  return a.stack === undefined ? a.scenario : `${a.scenario} (${a.stack})`;
}

function aggregateScenario(scenario: string, runs: AggregateRun[]): ScenarioAggregate {
  const ordered = [...runs].sort((a, b) => (a.repeat ?? 0) - (b.repeat ?? 0) || a.report.startedAt.localeCompare(b.report.startedAt));
  const outcomes: Record<string, number> = {};
  for (const r of ordered) outcomes[r.report.outcome] = (outcomes[r.report.outcome] ?? 0) + 1;
  const rates: Record<string, Rate> = {};
  for (const [o, count] of Object.entries(outcomes)) rates[o] = { count, rate: count / ordered.length, ...wilson(count, ordered.length) };
  const failing = ordered.find((r) => r.report.outcome !== "pass" && r.report.outcome !== "skipped");
  return {
    scenario,
    runs: ordered.length,
    outcomes,
    rates,
    ...(failing
      ? { firstFailing: { ...(failing.repeat !== undefined ? { repeat: failing.repeat } : {}), runId: failing.report.runId, outcome: failing.report.outcome, report: failing.link } }
      : {}),
    checkers: checkerRates(ordered.map((r) => r.report)),
    figures: figureDistributions(ordered.map((r) => r.report)),
    knownIssues: knownIssueCounts(ordered.map((r) => r.report)),
  };
}

function checkerRates(reports: RunReport[]): CheckerRate[] {
  const byChecker = new Map<string, { failed: number; ok: number; unknown: number }>();
  for (const r of reports)
    for (const v of r.verdicts) {
      const c = byChecker.get(v.checker) ?? { failed: 0, ok: 0, unknown: 0 };
      if (v.unknown) c.unknown++;
      else if (v.ok) c.ok++;
      else c.failed++;
      byChecker.set(v.checker, c);
    }
  return [...byChecker.entries()].map(([checker, c]) => {
    const judged = c.ok + c.failed;
    const rate: Rate = { count: c.failed, rate: judged ? c.failed / judged : 0, ...wilson(c.failed, judged) };
    const undecided = c.unknown ? `; unknown in ${runsWord(c.unknown)}` : "";
    const text = judged ? `${formatRate(`${checker} failed`, rate, judged)}${undecided}` : `${checker}: no definite verdict; unknown in ${runsWord(c.unknown)}`;
    return { checker, judged, failed: c.failed, unknown: c.unknown, rate, text };
  });
}

function figureDistributions(reports: RunReport[]): FigureDistribution[] {
  const byKey = new Map<string, { checker: string; figure: string; values: number[]; runs: { run: number; stack?: string }[] }>();
  reports.forEach((r, i) => {
    for (const v of r.verdicts)
      // By name within a checker: a report read back from JSON (a game day's runs, `pgchaos report`)
      // and one judged in this process list a verdict's figures in different orders.
      for (const [figure, x] of Object.entries(v.figures ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (typeof x !== "number" || !Number.isFinite(x)) continue;
        const k = `${v.checker}\u0000${figure}`;
        if (!byKey.has(k)) byKey.set(k, { checker: v.checker, figure, values: [], runs: [] });
        byKey.get(k)!.values.push(x);
        byKey.get(k)!.runs.push({ run: i + 1, ...(r.versions.stack ? { stack: r.versions.stack } : {}) });
      }
  });
  return [...byKey.values()].map((d) => ({ ...d, text: describeDistribution(d.figure, d.values) }));
}

const isMs = (figure: string) => /Ms$/.test(figure);

/** A value as people read it: ms figures in seconds to 0.1 s, others as they are (to 2 decimals). */
function show(figure: string, x: number): string {
  if (isMs(figure)) return `${Number((x / 1000).toFixed(1))} s`;
  return String(Math.round(x * 100) / 100);
}

const runsWord = (n: number) => `${n} run${n === 1 ? "" : "s"}`;

/**
 * "0 s in 18 runs, about 0.6 s in 2": runs grouped by the value as shown (a ms figure to
 * 0.1 s, "about" when the group's raw values differ); more than four groups become
 * "min …, median …, max … over N runs".
 */
export function describeDistribution(figure: string, values: readonly number[]): string {
  if (!values.length) return "no runs";
  const groups = new Map<string, number[]>();
  for (const x of values) groups.set(show(figure, x), [...(groups.get(show(figure, x)) ?? []), x]);
  if (groups.size > 4) {
    const s = [...values].sort((a, b) => a - b);
    const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    return `min ${show(figure, s[0])}, median ${show(figure, med)}, max ${show(figure, s[s.length - 1])} over ${runsWord(s.length)}`;
  }
  const parts = [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length || a[1][0] - b[1][0])
    .map(([shown, xs], i) => {
      const exact = xs.every((x) => x === xs[0]);
      return `${exact ? "" : "about "}${shown} in ${i === 0 ? runsWord(xs.length) : xs.length}`;
    });
  return parts.join(", ");
}

function knownIssueCounts(reports: RunReport[]): ScenarioAggregate["knownIssues"] {
  const counts = new Map<string, { runs: number; showed: number }>();
  for (const r of reports) {
    const listed = (r as { knownIssues?: unknown }).knownIssues;
    if (!Array.isArray(listed)) continue;
    for (const k of listed as { id?: unknown; showed?: unknown }[]) {
      if (typeof k?.id !== "string") continue;
      const c = counts.get(k.id) ?? { runs: 0, showed: 0 };
      c.runs++;
      if (k.showed === true) c.showed++;
      counts.set(k.id, c);
    }
  }
  return [...counts.entries()].map(([id, c]) => ({ id, ...c }));
}

/** "pass 18/20 = 90% (95% CI 70–97%)". */
export function formatRate(outcome: string, r: Rate, runs: number): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return `${outcome} ${r.count}/${runs} = ${pct(r.rate)} (95% CI ${pct(r.low)}–${pct(r.high)})`;
}

/** The pass rate line of an aggregate (a scenario with no pass at all shows 0/N). */
export function passRateText(a: ScenarioAggregate): string {
  return formatRate("pass", a.rates.pass ?? { count: 0, rate: 0, ...wilson(0, a.runs) }, a.runs);
}
