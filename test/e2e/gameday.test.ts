import { describe, expect, test } from "vitest";
import { execa } from "execa";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { leftovers } from "./helpers.js";
import type { Summary } from "../../src/report/write.js";
import type { RunReport } from "../../src/report/model.js";
import { tempDirs } from "../temp-dirs.js";
import { MachineClaims } from "../../src/gameday/machine-claims.js";
import { existsSync, readdirSync } from "node:fs";

const tmp = tempDirs();

const cli = path.resolve("dist/cli/main.js");

describe("game day as a pool", () => {
  test("run -j 2 --repeat 3 --json: two labs at once, each run its own folder, labels and prefixed lines, worker processes reused; summary JSON on stdout; nothing left behind", async () => {
    const reports = tmp("pgchaos-gameday-");
    // Its own temporary folder, so that the machine's claims folder (machine-claims.ts) is this game day's alone.
    const claimsDir = path.join(tmp("pgchaos-gameday-tmp-"), "pgchaos-claims");
    const gameDay = execa("node", [cli, "run", "test/fixtures/run/short-partition.yaml", "--reports", reports, "-j", "2", "--repeat", "3", "--json"], {
      reject: false,
      env: { TESTCONTAINERS_RYUK_DISABLED: "true", TMPDIR: path.dirname(claimsDir) },
    });
    // What another pgchaos on the machine sees of it while it runs.
    const seen: number[] = [];
    const watch = setInterval(() => seen.push(new MachineClaims(claimsDir, "another").others().labs), 250);
    const r = await gameDay.finally(() => clearInterval(watch));
    expect(Math.max(...seen)).toBe(2);
    expect(existsSync(claimsDir) ? readdirSync(claimsDir).filter((f) => f.endsWith(".json")) : []).toEqual([]);
    // stdout is the summary JSON and nothing else.
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.schemaVersion).toBe(1);
    expect(summary.runs.map((x) => [x.scenario, x.repeat, x.report])).toEqual([
      ["short-partition", 1, "short-partition/run-01/report.md"],
      ["short-partition", 2, "short-partition/run-02/report.md"],
      ["short-partition", 3, "short-partition/run-03/report.md"],
    ]);
    expect(summary.pool?.jobs).toBe(2);
    // The exit code follows the recorded outcomes (whatever Patroni did).
    expect(r.exitCode).toBe(summary.runs.some((x) => x.outcome === "error") ? 2 : summary.runs.some((x) => x.outcome === "fail") ? 1 : 0);
    const [agg] = summary.scenarios;
    expect(agg).toMatchObject({ scenario: "short-partition", runs: 3 });
    expect(Object.values(agg.outcomes).reduce((a, b) => a + b, 0)).toBe(3);

    const [gameDayDir] = await readdir(reports);
    const dir = path.join(reports, gameDayDir);
    const runDirs = ["run-01", "run-02", "run-03"];
    expect((await readdir(path.join(dir, "short-partition"))).sort()).toEqual(runDirs);
    const runs = await Promise.all(runDirs.map(async (d) => JSON.parse(await readFile(path.join(dir, "short-partition", d, "report.json"), "utf8")) as RunReport));
    expect(new Set(runs.map((x) => x.runId)).size).toBe(3);
    // Each lab's harness in a worker process of its own, not the game day's; the third run
    // reused the worker of one of the first two (a worker runs units one after another).
    const pids = await Promise.all(runDirs.map(async (d) => (JSON.parse((await readFile(path.join(dir, "short-partition", d, "journal.jsonl"), "utf8")).split("\n")[0]) as { meta: { harness: { pid: number } } }).meta.harness.pid));
    expect(pids).not.toContain(gameDay.pid);
    expect(new Set(pids).size).toBe(2);
    // Both labs ran at the same time: their runs overlap in wall time.
    const span = (x: RunReport) => [Date.parse(x.startedAt), Date.parse(x.endedAt)];
    const [[s1, e1], [s2, e2]] = runs.map(span);
    expect(Math.max(s1, s2)).toBeLessThan(Math.min(e1, e2));
    // In each run the fault was injected and healed on its own lab.
    for (const x of runs) {
      expect(x.faults.map((f) => [f.type, f.ok, f.healedAt !== null])).toEqual([["partition", true, true]]);
      expect(await leftovers(x.runId)).toEqual({ containers: [], networks: [], volumes: [] });
    }
    // Every progress line of a run says which run it belongs to.
    const runLines = r.stderr.split("\n").filter((l) => /^pgchaos: \[short-partition/.test(l));
    expect(runLines.length).toBeGreaterThan(10);
    for (const l of runLines) expect(l).toMatch(/^pgchaos: \[short-partition #[123]\]/);
    expect(r.stderr).toMatch(/short-partition\s+3\s+\d+\/3 = \d+% \(95% CI \d+%–\d+%\)/);
    const md = await readFile(path.join(dir, "summary.md"), "utf8");
    expect(md).toContain("## Per scenario over repeated runs");
    expect(await readFile(path.join(dir, "index.html"), "utf8")).toContain('id="scenarios"');
  });
});
