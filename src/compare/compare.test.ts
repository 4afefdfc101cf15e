import { describe, expect, it } from "vitest";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildReport, type RunReport } from "../report/model.js";
import { judge } from "../runner/judge.js";
import { cleanRun, splitBrain, switchover } from "../../test/fixtures/histories/scenarios.js";
import type { HistoryEvent } from "../history/events.js";
import { compareReports, loadReports, renderComparisonMarkdown } from "./compare.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

const INVARIANTS = [
  { name: "single-primary", options: {} },
  { name: "no-acked-write-lost", options: {} },
  { name: "write-availability", options: {} },
] as const;

/** A report as the runner writes it, judged by the real checkers on a recorded history. */
function report(name: string, events: HistoryEvent[], versions: RunReport["versions"], stepOutcome: "pass" | "fail" = "pass"): RunReport {
  const steps: HistoryEvent[] = [
    { kind: "step", t: 500, index: 9, id: "outage", type: "fault", phase: "start", text: "etcd-quorum-loss" },
    { kind: "step", t: 900, index: 9, id: "outage", type: "fault", phase: "end", text: "etcd-quorum-loss", outcome: stepOutcome, ...(stepOutcome === "fail" ? { detail: "leader pg1 stayed writable" } : {}) },
  ];
  const all = [...events, ...steps];
  return buildReport({
    runId: `${name}-${versions.patroni}`,
    scenario: { name },
    startedAt: "2026-12-01T00:00:00.000Z",
    endedAt: "2026-12-01T00:01:00.000Z",
    origin: "2026-12-01T00:00:00.000Z",
    versions,
    events: all,
    verdicts: judge({ events: all, invariants: INVARIANTS as never }).verdicts,
  });
}

const bookworm = { patroni: "3.0.2", postgresql: "15.14 (Debian 15.14-0+deb12u1)", etcd: "3.4.23", stack: "bookworm" };
const trixie = { patroni: "4.0.7", postgresql: "17.12 (Debian 17.12-0+deb13u1)", etcd: "3.5.16", stack: "trixie" };

describe("compare", () => {
  const a = [report("clean", cleanRun().events, bookworm), report("quorum", switchover().events, bookworm)];
  const b = [report("clean", cleanRun().events, trixie), report("quorum", splitBrain().events, trixie, "fail")];

  it("puts each scenario's outcome and checker figures side by side and marks the differences", () => {
    const c = compareReports([
      { label: "bookworm", reports: a },
      { label: "trixie", reports: b },
    ]);
    expect(c.sides).toEqual([
      { label: "bookworm", versions: "bookworm: Patroni 3.0.2, PostgreSQL 15.14, etcd 3.4.23" },
      { label: "trixie", versions: "trixie: Patroni 4.0.7, PostgreSQL 17.12, etcd 3.5.16" },
    ]);
    expect(c.rows.map((r) => [r.scenario, r.differs, r.cells.map((x) => x?.outcome)])).toEqual([
      ["clean", false, ["pass", "pass"]],
      ["quorum", true, ["pass", "fail"]],
    ]);
    const [, q] = c.rows;
    // The figures are the checkers' own: the split brain overlaps and loses writes, the switchover does not.
    expect(q.cells[0]!.primaryOverlapMs).toBe(0);
    expect(q.cells[1]!.primaryOverlapMs).toBeGreaterThan(0);
    expect(q.cells[1]!.lostWrites).toBeGreaterThan(0);
    expect(q.cells[0]!.longestUnavailableMs).toBeGreaterThan(1000);
    expect(q.steps).toEqual([
      { step: "outage: etcd-quorum-loss", sides: [{ outcome: "pass" }, { outcome: "fail", detail: "leader pg1 stayed writable" }] },
    ]);
    const md = renderComparisonMarkdown(c);
    expect(md).toContain("| **quorum** | ✅ pass<br>unavail ");
    expect(md).toContain("  - trixie: fail: leader pg1 stayed writable");
  });

  it("a scenario one side did not run is 'not run'; loading needs report.json files", async () => {
    const c = compareReports([
      { label: "last-week", reports: a.slice(0, 1) },
      { label: "today", reports: b },
    ]);
    expect(c.rows[1].cells[0]).toBeUndefined();
    expect(renderComparisonMarkdown(c)).toContain("| quorum | not run | ❌ fail<br>");
    const dir = tmp("pgchaos-compare-");
    await expect(loadReports(dir)).rejects.toThrow(`${dir}: no report.json found`);
    await mkdir(path.join(dir, "clean"));
    await writeFile(path.join(dir, "clean", "report.json"), JSON.stringify(a[0]));
    expect((await loadReports(dir)).map((r) => r.scenario.name)).toEqual(["clean"]);
  });
});
