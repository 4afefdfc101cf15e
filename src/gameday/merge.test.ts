import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport, type RunReport } from "../report/model.js";
import { writeIndex, writeReports, type Summary } from "../report/write.js";
import { parseXml } from "../report/xml.js";
import { mergeGameDays } from "./merge.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

function report(name: string, outcome: "pass" | "fail", i = 1): RunReport {
  return buildReport({
    runId: `${name}-${i}`,
    scenario: { name },
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: "2026-01-01T00:00:30.000Z",
    origin: "2026-01-01T00:00:00.000Z",
    events: [],
    verdicts: [{ checker: "single-primary", ok: outcome === "pass", summary: outcome, evidence: [], figures: { overlapMs: outcome === "pass" ? 0 : 600 } }],
  });
}

/** A game-day folder as `pgchaos run` writes it: one folder per run (run-NN when repeating) and the index. */
async function gameDay(root: string, id: string, runs: { name: string; outcome: "pass" | "fail"; repeat?: number }[]): Promise<string> {
  const dir = join(root, id);
  const reports: RunReport[] = [];
  const rel = new Map<RunReport, { link: string; repeat?: number }>();
  for (const r of runs) {
    const rep = report(r.name, r.outcome, r.repeat);
    const sub = r.repeat ? join(r.name, `run-0${r.repeat}`) : r.name;
    await writeReports(join(dir, sub), rep);
    reports.push(rep);
    rel.set(rep, { link: `${sub}/report.md`, repeat: r.repeat });
  }
  await writeIndex(dir, reports, { reportLink: (r) => rel.get(r)!.link, repeatOf: (r) => rel.get(r)!.repeat });
  return dir;
}

describe("mergeGameDays", () => {
  it("makes one index, summary and JUnit file from the shards' folders, linking the original reports", async () => {
    const root = tmp("pgchaos-merge-");
    const s1 = await gameDay(root, "shard-1", [{ name: "a", outcome: "pass" }, { name: "b", outcome: "fail" }]);
    const s2 = await gameDay(root, "shard-2", [{ name: "c", outcome: "pass" }]);
    const out = join(root, "merged");
    const { reports, written } = await mergeGameDays([s1, s2], out);
    expect(reports.map((r) => r.scenario.name)).toEqual(["a", "b", "c"]);
    const summary = JSON.parse(readFileSync(written.summaryJson, "utf8")) as Summary;
    expect(summary.outcome).toBe("fail");
    expect(summary.counts).toEqual({ total: 3, pass: 2, fail: 1, error: 0, known: 0, skipped: 0 });
    expect(summary.runs.map((r) => r.report)).toEqual(["../shard-1/a/report.md", "../shard-1/b/report.md", "../shard-2/c/report.md"]);
    const junit = parseXml(readFileSync(written.junit, "utf8"));
    expect(junit.name).toBe("testsuites");
    expect(readFileSync(written.junit, "utf8").match(/<testcase /g)).toHaveLength(3);
    expect(readFileSync(written.indexHtml, "utf8")).toContain('href="../shard-2/c/report.html"');
    expect(readFileSync(written.summaryMarkdown, "utf8")).toContain("merged from 2 folders");
  });

  it("keeps repeated runs' numbers and aggregates them", async () => {
    const root = tmp("pgchaos-merge-");
    const s1 = await gameDay(root, "g1", [
      { name: "a", outcome: "pass", repeat: 1 },
      { name: "a", outcome: "fail", repeat: 2 },
    ]);
    const s2 = await gameDay(root, "g2", [{ name: "b", outcome: "pass", repeat: 1 }]);
    const { written } = await mergeGameDays([s1, s2], join(root, "m"));
    const summary = JSON.parse(readFileSync(written.summaryJson, "utf8")) as Summary;
    expect(summary.runs.map((r) => r.repeat)).toEqual([1, 2, 1]);
    expect([...readFileSync(written.junit, "utf8").matchAll(/<testcase [^>]*name="([^"]+)"/g)].map((m) => m[1])).toEqual(["a #1", "a #2", "b #1"]);
    expect(summary.scenarios[0]).toMatchObject({ scenario: "a", runs: 2, outcomes: { pass: 1, fail: 1 }, firstFailing: { repeat: 2, report: "../g1/a/run-02/report.md" } });
  });

  it("says clearly when a folder is not a game day, is given twice, or two folders ran the same scenario", async () => {
    const root = tmp("pgchaos-merge-");
    const s1 = await gameDay(root, "g1", [{ name: "a", outcome: "pass" }]);
    const s2 = await gameDay(root, "g2", [{ name: "a", outcome: "pass" }, { name: "b", outcome: "pass" }]);
    const out = join(root, "m");
    await expect(mergeGameDays([s1, s2], out)).rejects.toThrow(/scenario 'a' is in both .*g1 and .*g2; merge combines shards of one game day/);
    await expect(mergeGameDays([s1, `${s1}/`], out)).rejects.toThrow(/g1 is given twice/);
    await expect(mergeGameDays([root], out)).rejects.toThrow(/summary.json: missing; .* is not a game-day folder \(pgchaos run writes summary.json into reports\/<game-day id>\/; give that folder/);
    await expect(mergeGameDays([join(root, "nope")], out)).rejects.toThrow(/nope: no such folder; merge takes game-day folders/);
    const bad = join(root, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "summary.json"), "{ not json");
    await expect(mergeGameDays([bad], out)).rejects.toThrow(/bad\/summary.json: not valid JSON/);
    writeFileSync(join(bad, "summary.json"), JSON.stringify({ hello: 1 }));
    await expect(mergeGameDays([bad], out)).rejects.toThrow(/not a pgchaos game-day summary \(expected schemaVersion 1 and a list of runs\)/);
    writeFileSync(join(bad, "summary.json"), JSON.stringify({ schemaVersion: 1, runs: [{ runId: "x", scenario: "gone", report: "gone/report.md" }] }));
    await expect(mergeGameDays([bad], out)).rejects.toThrow(/gone\/report.json: missing; summary.json of .*bad lists run x of gone there/);
  });
});
