import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkers } from "../checker/index.js";
import { cleanRun, SECRET, splitBrainReportInput } from "../../test/fixtures/histories/scenarios.js";
import { buildReport, type RunReport } from "./model.js";
import { parseXml } from "./xml.js";
import { overallOutcome, writeIndex, writeReports } from "./write.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

function reports(): RunReport[] {
  const input = splitBrainReportInput();
  const sb = buildReport({ ...input, verdicts: Object.values(checkers).map((mk) => mk().check(input.events)) });
  const f = cleanRun();
  const clean = buildReport({
    runId: "run-clean",
    scenario: { name: "clean-run", incident: "clock-skew" },
    startedAt: "2024-05-01T13:00:00.000Z",
    endedAt: "2024-05-01T13:00:31.500Z",
    origin: "2024-05-01T13:00:00.500Z",
    events: f.events,
    verdicts: Object.values(checkers).map((mk) => mk().check(f.events)),
  });
  const broken = buildReport({
    runId: "run-broken",
    scenario: { name: "broken" },
    startedAt: "2024-05-01T14:00:00.000Z",
    endedAt: "2024-05-01T14:00:02.000Z",
    origin: "2024-05-01T14:00:00.000Z",
    events: [],
    error: `lab did not start: auth failed for password ${SECRET}`,
  });
  return [sb, clean, broken];
}

describe("writeReports", () => {
  it("writes report.json, junit.xml and report.md, redacted, with no temporary files left", async () => {
    const dir = join(tmp("pgchaos-write-"), "run-1");
    const [r] = reports();
    const paths = await writeReports(dir, r, { secrets: [SECRET] });
    expect(paths).toEqual({ json: join(dir, "report.json"), junit: join(dir, "junit.xml"), markdown: join(dir, "report.md"), html: join(dir, "report.html") });
    expect(readdirSync(dir).sort()).toEqual(["junit.xml", "report.html", "report.json", "report.md"]);
    const json = readFileSync(paths.json, "utf8");
    expect(JSON.parse(json)).toMatchObject({ runId: r.runId, outcome: "fail" });
    expect(parseXml(readFileSync(paths.junit, "utf8")).name).toBe("testsuites");
    expect(readFileSync(paths.markdown, "utf8")).toMatch(/^# ❌ FAIL: etcd-pause-split-brain\n/);
    for (const p of Object.values(paths)) {
      const text = readFileSync(p, "utf8");
      expect(text, p).not.toContain(SECRET);
      expect(text, p).not.toContain("s3cr3t");
      if (!p.endsWith(".xml")) expect(text, p).toContain("[REDACTED]"); // junit.xml does not show logs or actions
    }
    // Rewriting replaces in place.
    await writeReports(dir, { ...r, outcome: "pass" }, { secrets: [SECRET] });
    expect(JSON.parse(readFileSync(paths.json, "utf8")).outcome).toBe("pass");
    expect(readdirSync(dir)).toHaveLength(4);
  });
});

describe("writeIndex", () => {
  it("writes summary.md, summary.json and a combined junit.xml for a game day", async () => {
    const dir = tmp("pgchaos-index-");
    const rs = reports();
    const paths = await writeIndex(dir, rs, { secrets: [SECRET], title: "Game day 1" });
    expect(readdirSync(dir).sort()).toEqual(["index.html", "junit.xml", "summary.json", "summary.md"]);

    const summary = JSON.parse(readFileSync(paths.summaryJson, "utf8"));
    expect(summary).toMatchObject({ schemaVersion: 1, outcome: "error", counts: { total: 3, pass: 1, fail: 1, error: 1 } });
    expect(summary.runs.map((r: { runId: string; outcome: string; report: string }) => [r.runId, r.outcome, r.report])).toEqual([
      ["20240501-120000-abcd", "fail", "20240501-120000-abcd/report.md"],
      ["run-clean", "pass", "run-clean/report.md"],
      ["run-broken", "error", "run-broken/report.md"],
    ]);
    expect(summary.runs[0].failedSteps).toEqual([
      { index: 3, id: "step-4", text: "single primary within 10s", detail: "pg2 and pg3 both primary at +40.3s" },
    ]);
    expect(summary.runs[0].verdicts.map((v: { checker: string; ok: boolean }) => [v.checker, v.ok])).toEqual([
      ["single-primary", false],
      ["no-acked-write-lost", false],
      ["write-availability", true],
    ]);

    const md = readFileSync(paths.summaryMarkdown, "utf8");
    expect(md.split("\n")[0]).toBe("# ⚠️ Game day 1: ERROR");
    expect(md).toContain("**3 scenario runs: 1 passed, 1 failed, 0 known issues, 1 errored.**");
    expect(md).toContain("| ✅ pass | clean-run | clock-skew | 31.5 s |  | [report](run-clean/report.md) |");
    expect(md).toContain("| ❌ fail | etcd-pause-split-brain | dcs-loss | 93.3 s | step 4 single primary within 10s: pg2 and pg3 both primary at +40.3s<br>single-primary: split brain");

    const junit = parseXml(readFileSync(paths.junit, "utf8"));
    expect(junit.attrs).toMatchObject({ tests: "3", failures: "1", errors: "1" });
    expect(junit.children[0].children.filter((c) => c.name === "testcase").map((c) => c.attrs.classname)).toEqual([
      "pgchaos.dcs-loss",
      "pgchaos.clock-skew",
      "pgchaos.scenario",
    ]);
    for (const p of Object.values(paths)) expect(readFileSync(p, "utf8"), p).not.toContain("s3cr3t");
  });

  it("worst outcome wins", () => {
    expect(overallOutcome([])).toBe("pass");
    expect(overallOutcome(["pass", "fail"])).toBe("fail");
    expect(overallOutcome(["fail", "error", "pass"])).toBe("error");
  });
});
