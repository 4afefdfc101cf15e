import { describe, expect, it } from "vitest";
import { readFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Journal, readJournal } from "../../report/journal.js";
import { parseScenario } from "../../scenario/load.js";
import { loadKnownIssues } from "../../known-issues/load.js";
import { harnessVersion, type RunMeta } from "../../runner/run-record.js";
import type { HistoryEvent } from "../../history/events.js";
import { reportCommand } from "./report.js";
import { tempDirs } from "../../../test/temp-dirs.js";

const tmp = tempDirs();

const ROOT = path.resolve(import.meta.dirname, "../../..");
const FILE = "scenarios/etcd-quorum-loss-failsafe-off.yaml";
const text = readFileSync(path.join(ROOT, FILE), "utf8");
const scenario = parseScenario(text, FILE);
const recorded = readJournal(path.join(ROOT, "test/fixtures/histories/recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl"));

function writeRun(dir: string, patroni: string, stack?: string) {
  const meta: RunMeta = {
    harness: harnessVersion(),
    scenario: { name: scenario.name, file: FILE, text, stepLines: {}, invariants: scenario.invariants, patroni: scenario.patroni },
    knownIssues: loadKnownIssues().filter((k) => k.scenario === scenario.name),
    options: { timeScale: 1, seed: 1 },
  };
  const end = recorded.events.reduce((m, e) => Math.max(m, e.t), 0);
  const j = new Journal(path.join(dir, "journal.jsonl"), { runId: path.basename(dir), wall: recorded.header!.wall, meta: meta as unknown as Record<string, unknown> });
  const extra: HistoryEvent[] = [
    { kind: "run-info", t: 9000, versions: { patroni, postgresql: "15.5", etcd: "3.5.9", ...(stack ? { stack } : {}) }, topology: { nodes: [] }, setupMs: 9000 },
    { kind: "settle", t: end + 1, ok: true, leader: "pg2", budgetMs: 20000 },
    { kind: "teardown", t: end + 2, ok: true, durationMs: 100 },
    { kind: "run-end", t: end + 3, endedAt: "2026-11-22T02:50:00.000Z" },
  ];
  for (const e of [...recorded.events, ...extra]) j.append(e);
  j.close();
}

describe("pgchaos report", () => {
  it("re-renders a game day from its journals: each run and the index; the exit code follows the known issues", async () => {
    const gd = tmp("pgchaos-gd-");
    writeRun(path.join(gd, "a-known"), "3.0.2");
    const out: string[] = [];
    expect(await reportCommand({ path: gd }, (s) => out.push(s))).toBe(0);
    expect(await reportCommand({ path: gd, strict: true }, () => {})).toBe(1);
    expect(JSON.parse(readFileSync(path.join(gd, "a-known", "report.json"), "utf8")).outcome).toBe("known");
    expect(JSON.parse(readFileSync(path.join(gd, "summary.json"), "utf8")).counts).toMatchObject({ total: 1, known: 1 });
    // A newer Patroni outside the known issue's range: the same record fails.
    writeRun(path.join(gd, "b-newer"), "3.1.0");
    const other = path.join(tmp("pgchaos-gd-out-"), "reports"); // another place than the game day
    expect(await reportCommand({ path: gd, reportsDir: other }, () => {})).toBe(1);
    expect(JSON.parse(readFileSync(path.join(other, "b-newer", "report.json"), "utf8")).outcome).toBe("fail");
    expect(existsSync(path.join(other, "b-newer", "journal.jsonl"))).toBe(true);
    expect(readFileSync(path.join(other, "summary.md"), "utf8")).toContain("1 failed, 1 known issues");
  });

  it("a matrix game day keeps its stacks compared, in the order it ran them", async () => {
    const gd = tmp("pgchaos-matrix-");
    writeRun(path.join(gd, `${scenario.name}@trixie`), "4.0.7", "trixie");
    writeRun(path.join(gd, `${scenario.name}@bookworm`), "3.0.2", "bookworm");
    writeFileSync(path.join(gd, "summary.json"), JSON.stringify({ comparison: { sides: [{ label: "bookworm" }, { label: "trixie" }] } }));
    await reportCommand({ path: gd }, () => {});
    const summary = JSON.parse(readFileSync(path.join(gd, "summary.json"), "utf8"));
    expect(summary.comparison.sides.map((x: { label: string }) => x.label)).toEqual(["bookworm", "trixie"]);
    expect(summary.comparison.rows.map((r: { scenario: string; cells: { outcome: string }[] }) => [r.scenario, r.cells.map((c) => c.outcome)])).toEqual([[scenario.name, ["known", "fail"]]]);
    expect(readFileSync(path.join(gd, "index.html"), "utf8")).toContain('<section id="stacks-matrix">');
    // Not repeats of one another: no pass rate over the two stacks.
    expect(summary.scenarios.map((a: { stack?: string }) => a.stack)).toEqual(["bookworm", "trixie"]);
  });

  it("finds the runs of a repeated game day (<scenario>/run-NN/) and writes one index over them", async () => {
    const gd = tmp("pgchaos-rep-");
    writeRun(path.join(gd, scenario.name, "run-01"), "3.0.2");
    writeRun(path.join(gd, scenario.name, "run-02"), "3.1.0");
    // What the game day itself wrote; its pool is kept (how it ran is not re-judged).
    writeFileSync(path.join(gd, "summary.json"), JSON.stringify({ pool: { jobs: 2, wallMs: 95_000 } }));
    const out: string[] = [];
    expect(await reportCommand({ path: gd }, (s) => out.push(s))).toBe(1);
    const summary = JSON.parse(readFileSync(path.join(gd, "summary.json"), "utf8"));
    expect(summary.pool).toEqual({ jobs: 2, wallMs: 95_000 });
    expect(summary.runs.map((r: { repeat?: number }) => r.repeat)).toEqual([1, 2]);
    expect(readFileSync(path.join(gd, "summary.md"), "utf8")).toContain("[run 1](");
    expect(JSON.parse(readFileSync(path.join(gd, scenario.name, "run-01", "report.json"), "utf8")).outcome).toBe("known");
    expect(JSON.parse(readFileSync(path.join(gd, scenario.name, "run-02", "report.json"), "utf8")).outcome).toBe("fail");
    expect(JSON.parse(readFileSync(path.join(gd, "summary.json"), "utf8")).counts).toMatchObject({ total: 2, known: 1, fail: 1 });
    expect(readFileSync(path.join(gd, "summary.md"), "utf8")).toContain(`${scenario.name}/run-02/report.md`);
  });

  it("--known-issues re-judges against known issues learnt since the run (the recorded ones otherwise)", async () => {
    const gd = tmp("pgchaos-ki-");
    writeRun(path.join(gd, "run"), "3.1.0"); // outside the recorded entries' range: fail
    expect(await reportCommand({ path: path.join(gd, "run") }, () => {})).toBe(1);
    const widened = readFileSync(path.join(ROOT, "known-issues/patroni.yaml"), "utf8").replaceAll('patroni: "<3.0.3"', 'patroni: "<3.2.0"')
      // (a widened range contradicts the entry's fix release: the loader says so; drop it)
      .replaceAll("    fixed_in: { patroni: 3.0.3 }\n", "");
    const file = path.join(gd, "known.yaml");
    writeFileSync(file, widened);
    expect(await reportCommand({ path: path.join(gd, "run"), knownIssuesFile: file }, () => {})).toBe(0);
    expect(JSON.parse(readFileSync(path.join(gd, "run", "report.json"), "utf8")).outcome).toBe("known");
    writeFileSync(file, "known_issues: [ { id: x } ]\n");
    await expect(reportCommand({ path: path.join(gd, "run"), knownIssuesFile: file }, () => {})).rejects.toThrow(/known\.yaml:1:\d+/);
  });

  it("a path without journals is a clear error", async () => {
    const empty = tmp("pgchaos-empty-");
    await expect(reportCommand({ path: empty }, () => {})).rejects.toThrow(/no journal\.jsonl in it, in its sub-directories or in theirs/);
    await expect(reportCommand({ path: path.join(empty, "nope") }, () => {})).rejects.toThrow(/no such file or directory/);
  });
});
