import { describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { buildReport, type RunReport } from "../report/model.js";
import { judge } from "../runner/judge.js";
import { writeIndex } from "../report/write.js";
import { cleanRun } from "../../test/fixtures/histories/scenarios.js";
import type { HistoryEvent } from "../history/events.js";
import { matrixComparison, parseStackList, renderMatrixHtml, writeMatrix } from "./matrix.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

const bookworm = { patroni: "3.0.2", postgresql: "15.14 (Debian 15.14-0+deb12u1)", etcd: "3.4.23", stack: "bookworm" };
const trixie = { patroni: "4.0.7", postgresql: "17.12 (Debian 17.12-0+deb13u1)", etcd: "3.5.16", stack: "trixie" };
const TTL = `Patroni raised ttl from the scenario's 10 to 20 (pg1: "ttl=10 can't be smaller than 20, adjusting..."); timings and budgets derived from ttl=10 do not hold on this version`;

/** A run's report judged by the real checkers on a recorded history, with one expectation's outcome. */
function report(name: string, versions: RunReport["versions"], outcome: "pass" | "fail", findings: string[] = []): RunReport {
  const steps: HistoryEvent[] = [
    { kind: "step", t: 500, index: 0, id: "elected", type: "expect", phase: "start", text: "expect leader (not pg1) within 18s" },
    { kind: "step", t: 900, index: 0, id: "elected", type: "expect", phase: "end", text: "expect leader (not pg1) within 18s", outcome, ...(outcome === "fail" ? { detail: "not within 18.0 s: leader key held by pg1" } : {}) },
  ];
  const events = [...cleanRun().events, ...steps];
  const j = judge({ events, invariants: [{ name: "write-availability", options: {} }, { name: "no-acked-write-lost", options: {} }] as never });
  return buildReport({ runId: `${name}-${versions.stack}`, scenario: { name }, startedAt: "2026-12-01T00:00:00.000Z", endedAt: "2026-12-01T00:01:00.000Z", origin: "2026-12-01T00:00:00.000Z", versions, events, verdicts: j.verdicts, findings });
}

describe("matrix game day", () => {
  it("--stack takes known stacks, comma-separated, each once; anything else is an error before a container starts", () => {
    expect(parseStackList("bookworm,trixie, sid")).toEqual(["bookworm", "trixie", "sid"]);
    expect(() => parseStackList("bookworm,buster")).toThrow(/^unknown stack 'buster'; known stacks: bookworm/);
    expect(() => parseStackList("bookworm,,trixie")).toThrow(/empty stack name/);
    expect(() => parseStackList("trixie,trixie")).toThrow(/'trixie' is given twice/);
  });

  const runs = [
    { stack: "bookworm", report: report("failover", bookworm, "pass") },
    { stack: "trixie", report: report("failover", trixie, "fail", [TTL, "step 1 (elected) expected: ..."]) },
    { stack: "bookworm", report: report("steady", bookworm, "pass") },
  ];

  it("one row per scenario, a column per stack: outcomes, figures, the differing step and what the versions explain", () => {
    const c = matrixComparison(["bookworm", "trixie"], runs);
    expect(c.sides.map((s) => s.versions)).toEqual(["bookworm: Patroni 3.0.2, PostgreSQL 15.14, etcd 3.4.23", "trixie: Patroni 4.0.7, PostgreSQL 17.12, etcd 3.5.16"]);
    const failover = c.rows.find((r) => r.scenario === "failover")!;
    expect(failover.differs).toBe(true);
    expect(failover.cells.map((x) => x?.outcome)).toEqual(["pass", "fail"]);
    expect(typeof failover.cells[0]?.longestUnavailableMs).toBe("number");
    expect(failover.cells[0]?.lostWrites).toBe(0);
    expect(failover.cells[1]?.explanations).toEqual([TTL]);
    expect(failover.steps).toEqual([{ step: "elected: expect leader (not pg1) within 18s", sides: [{ outcome: "pass" }, { outcome: "fail", detail: "not within 18.0 s: leader key held by pg1" }] }]);
    const steady = c.rows.find((r) => r.scenario === "steady")!;
    expect(steady.cells[1]).toBeUndefined();
    const html = renderMatrixHtml(c);
    expect(html).toContain('<tr class="differs"><th scope="row">failover');
    expect(html).toContain("<td class=\"none\">not run</td>");
    expect(html).toContain("can&apos;t be smaller than 20");
  });

  it("adds the comparison to the game day's index without changing its existing summary fields", async () => {
    const dir = tmp("pgchaos-matrix-");
    const reports = runs.map((r) => r.report);
    const written = await writeIndex(dir, reports, { reportLink: (r) => `${r.scenario.name}@${r.versions.stack}/report.md` });
    const before = JSON.parse(await readFile(written.summaryJson, "utf8"));
    await writeMatrix(dir, written, matrixComparison(["bookworm", "trixie"], runs), ["runs-secret"]);
    const after = JSON.parse(await readFile(written.summaryJson, "utf8"));
    expect({ ...after, comparison: undefined }).toEqual({ ...before, comparison: undefined });
    expect(after.comparison.rows.map((r: { scenario: string; differs: boolean }) => [r.scenario, r.differs])).toEqual([["failover", true], ["steady", false]]);
    expect(await readFile(written.summaryMarkdown, "utf8")).toMatch(/## Stacks compared[\s\S]*\| \*\*failover\*\* \|/);
    const html = await readFile(written.indexHtml, "utf8");
    expect(html.indexOf('<section id="stacks-matrix">')).toBeLessThan(html.lastIndexOf("</body>"));
    expect(await readFile(path.join(dir, "compare.json"), "utf8")).toContain('"label": "trixie"');
  });
});
