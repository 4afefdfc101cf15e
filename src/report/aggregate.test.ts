import { describe, expect, it } from "vitest";
import { buildReport, type RunReport } from "./model.js";
import type { Verdict } from "../checker/checker.js";
import { aggregateRuns, describeDistribution, passRateText, wilson } from "./aggregate.js";
import { buildSummary, renderSummaryMarkdown } from "./write.js";

function run(
  name: string,
  i: number,
  opts: { fail?: boolean; unknown?: boolean; overlapMs?: number; outcome?: string; known?: { id: string; showed: boolean }[] } = {},
): RunReport {
  const v: Verdict = {
    checker: "single-primary",
    ok: !opts.fail && !opts.unknown,
    ...(opts.unknown ? { unknown: true } : {}),
    summary: "",
    evidence: [],
    figures: { overlapMs: opts.overlapMs ?? 0, nodes: 3 },
  };
  const r = buildReport({
    runId: `${name}-${i}`,
    scenario: { name },
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    endedAt: new Date(Date.UTC(2026, 0, 1, 0, i, 30)).toISOString(),
    origin: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    events: [],
    verdicts: [v],
  });
  // Outcomes and fields another part of pgchaos may add are carried as they come.
  return { ...r, ...(opts.outcome ? { outcome: opts.outcome as RunReport["outcome"] } : {}), ...(opts.known ? { knownIssues: opts.known } : {}) } as RunReport;
}

describe("wilson", () => {
  it("matches the textbook 95% score interval", () => {
    const a = wilson(18, 20);
    expect(a.low).toBeCloseTo(0.699, 3);
    expect(a.high).toBeCloseTo(0.972, 3);
    const z = wilson(0, 10);
    expect(z.low).toBe(0);
    expect(z.high).toBeCloseTo(0.2775, 3);
    expect(wilson(10, 10).high).toBe(1);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
  });
});

describe("describeDistribution", () => {
  it("groups runs by the value as shown, most frequent first, 'about' where raw values differ", () => {
    const xs = [...Array(18).fill(0), 580, 630];
    expect(describeDistribution("overlapMs", xs)).toBe("0 s in 18 runs, about 0.6 s in 2");
    expect(describeDistribution("windows", [1, 1, 2])).toBe("1 in 2 runs, 2 in 1");
    expect(describeDistribution("windows", [4])).toBe("4 in 1 run");
  });
  it("summarises many different values as min, median and max", () => {
    expect(describeDistribution("longestMs", [1000, 2000, 3000, 4000, 5000, 6000])).toBe("min 1 s, median 3.5 s, max 6 s over 6 runs");
  });
});

describe("aggregateRuns", () => {
  it("never counts runs on different stacks as repeats of one another: an aggregate per stack, and no 'repeated' section for a matrix run once", () => {
    const onStack = (r: RunReport, stack: string) => ({ ...r, versions: { ...r.versions, stack } });
    const matrix = [onStack(run("failover", 1), "bookworm"), onStack(run("failover", 2, { fail: true }), "trixie"), onStack(run("steady", 3), "bookworm")];
    const a = aggregateRuns(matrix.map((r) => ({ report: r, link: `${r.runId}/report.md` })));
    expect(a.map((x) => [x.scenario, x.stack, x.runs, x.outcomes])).toEqual([
      ["failover", "bookworm", 1, { pass: 1 }],
      ["failover", "trixie", 1, { fail: 1 }],
      ["steady", undefined, 1, { pass: 1 }],
    ]);
    expect(renderSummaryMarkdown(matrix)).not.toContain("over repeated runs");
    // Repeated on two stacks: a pass rate per stack, named with its stack.
    const repeated = [1, 2, 3].flatMap((i) => [onStack(run("failover", i), "bookworm"), onStack(run("failover", 10 + i, { fail: i === 1 }), "trixie")]);
    const s = buildSummary(repeated, { repeatOf: (r) => Number(r.runId.split("-")[1]) % 10 });
    expect(s.scenarios.map((x) => [x.stack, x.runs, x.rates.pass?.count ?? 0])).toEqual([
      ["bookworm", 3, 3],
      ["trixie", 3, 2],
    ]);
    expect(renderSummaryMarkdown(repeated, { repeatOf: (r) => Number(r.runId.split("-")[1]) % 10 })).toMatch(/\| failover \(trixie\) \| 3 \| pass 2\/3/);
  });
  it("gives outcome rates with intervals, the first failing run by repeat number, and figure distributions", () => {
    const runs = [
      ...Array.from({ length: 18 }, (_, i) => ({ report: run("quorum", i + 1), repeat: i + 1, link: `quorum/run-${i + 1}/report.md` })),
      { report: run("quorum", 20, { fail: true, overlapMs: 630 }), repeat: 20, link: "quorum/run-20/report.md" },
      { report: run("quorum", 19, { fail: true, overlapMs: 580 }), repeat: 19, link: "quorum/run-19/report.md" },
    ];
    const [a] = aggregateRuns(runs);
    expect(a.scenario).toBe("quorum");
    expect(a.runs).toBe(20);
    expect(a.outcomes).toEqual({ pass: 18, fail: 2 });
    expect(a.rates.pass.rate).toBeCloseTo(0.9);
    expect(a.rates.pass.low).toBeCloseTo(0.699, 3);
    expect(a.firstFailing).toEqual({ repeat: 19, runId: "quorum-19", outcome: "fail", report: "quorum/run-19/report.md" });
    expect(a.figures.find((f) => f.figure === "overlapMs")!.text).toBe("0 s in 18 runs, about 0.6 s in 2");
    expect(a.figures.find((f) => f.figure === "nodes")!.text).toBe("3 in 20 runs");
    expect(passRateText(a)).toBe("pass 18/20 = 90% (95% CI 70%–97%)");
  });

  it("gives each checker's failure rate (the split-brain rate) with its interval; unknown verdicts apart, outside the rate", () => {
    const runs = [
      ...Array.from({ length: 7 }, (_, i) => ({ report: run("quorum", i + 1), repeat: i + 1, link: "x" })),
      { report: run("quorum", 8, { fail: true, overlapMs: 500 }), repeat: 8, link: "x" },
      { report: run("quorum", 9, { unknown: true }), repeat: 9, link: "x" },
      { report: run("quorum", 10), repeat: 10, link: "x" },
    ];
    const [a] = aggregateRuns(runs);
    const [c] = a.checkers;
    expect(c).toMatchObject({ checker: "single-primary", judged: 9, failed: 1, unknown: 1 });
    expect(c.rate.rate).toBeCloseTo(1 / 9);
    expect(c.rate.low).toBeCloseTo(wilson(1, 9).low, 6);
    expect(c.text).toBe("single-primary failed 1/9 = 11% (95% CI 2%–43%); unknown in 1 run");
    const reports = runs.map((r) => r.report);
    const repeatOf = (r: RunReport) => reports.indexOf(r) + 1;
    expect(JSON.parse(JSON.stringify(buildSummary(reports, { repeatOf }))).scenarios[0].checkers[0]).toMatchObject({ checker: "single-primary", failed: 1, judged: 9 });
    expect(renderSummaryMarkdown(reports, { repeatOf })).toContain("- single-primary failed 1/9 = 11% (95% CI 2%–43%); unknown in 1 run");
    const [none] = aggregateRuns([1, 2].map((i) => ({ report: run("q", i, { unknown: true }), repeat: i, link: "x" })))[0].checkers;
    expect(none.text).toBe("single-primary: no definite verdict; unknown in 2 runs");
  });

  it("counts an outcome it does not know (e.g. 'known') like any other, and how often each known issue showed", () => {
    const runs = [
      { report: run("skew", 1, { outcome: "known", known: [{ id: "patroni-1234", showed: true }] }), repeat: 1, link: "a" },
      { report: run("skew", 2, { known: [{ id: "patroni-1234", showed: false }] }), repeat: 2, link: "b" },
      { report: run("skew", 3, { outcome: "known", known: [{ id: "patroni-1234", showed: true }] }), repeat: 3, link: "c" },
    ];
    const [a] = aggregateRuns(runs);
    expect(a.outcomes).toEqual({ known: 2, pass: 1 });
    expect(a.rates.known.count).toBe(2);
    expect(a.firstFailing?.outcome).toBe("known");
    expect(a.knownIssues).toEqual([{ id: "patroni-1234", runs: 3, showed: 2 }]);
    const s = buildSummary(runs.map((r) => r.report));
    expect(s.counts).toMatchObject({ total: 3, pass: 1, known: 2 });
    expect(renderSummaryMarkdown(runs.map((r) => r.report))).toContain("1 passed, 0 failed, 2 known issues, 0 errored");
  });

  it("never names a skipped run (one that did not run, e.g. on a stack its requires: excludes) as the first failing run", () => {
    const runs = [
      { report: run("upgrade", 1, { outcome: "skipped" }), link: "upgrade@trixie/report.md" },
      { report: run("upgrade", 2, { outcome: "skipped" }), link: "upgrade@sid/report.md" },
      { report: run("other", 1, { outcome: "skipped" }), link: "other@trixie/report.md" },
      { report: run("other", 2, { fail: true, outcome: "fail" }), link: "other@sid/report.md" },
    ];
    const [upgrade, other] = aggregateRuns(runs);
    expect(upgrade.outcomes).toEqual({ skipped: 2 });
    expect(upgrade.firstFailing).toBeUndefined();
    expect(other.firstFailing).toMatchObject({ outcome: "fail", report: "other@sid/report.md" });
  });

  it("keeps summary.json's existing fields and adds per-scenario aggregates and repeat numbers", () => {
    const reports = [run("a", 1), run("a", 2, { fail: true }), run("b", 1)];
    const repeat = new Map([[reports[0], 1], [reports[1], 2], [reports[2], 1]]);
    const s = buildSummary(reports, { reportLink: (r) => `${r.runId}/report.md`, repeatOf: (r) => repeat.get(r) });
    expect(s.schemaVersion).toBe(1);
    expect(s.outcome).toBe("fail");
    expect(s.counts).toEqual({ total: 3, pass: 2, fail: 1, error: 0, known: 0, skipped: 0 });
    expect(s.runs.map((r) => [r.scenario, r.repeat, r.outcome])).toEqual([["a", 1, "pass"], ["a", 2, "fail"], ["b", 1, "pass"]]);
    expect(s.scenarios.map((a) => [a.scenario, a.runs, a.firstFailing?.report])).toEqual([["a", 2, "a-2/report.md"], ["b", 1, undefined]]);
    const md = renderSummaryMarkdown(reports, { reportLink: (r) => `${r.runId}/report.md`, repeatOf: (r) => repeat.get(r) });
    expect(md).toContain("## Per scenario over repeated runs");
    expect(md).toMatch(/\| a \| 2 \| pass 1\/2 = 50% \(95% CI 9%–91%\) \| fail 1\/2 = 50% \(95% CI 9%–91%\) \| \[run 2\]\(a-2\/report.md\) \(fail\) \|/);
  });

  it("leaves the summary of a game day without repeats as it was (no per-scenario section)", () => {
    const md = renderSummaryMarkdown([run("a", 1), run("b", 1)]);
    expect(md).not.toContain("Per scenario");
    expect(md).toContain("| outcome | scenario | incident | duration | what went wrong | report |");
  });
});
