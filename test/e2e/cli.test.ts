import { describe, expect, test } from "vitest";
import { execa } from "execa";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { leftovers, waitForLine } from "./helpers.js";
import { readJournal } from "../../src/report/journal.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

const cli = path.resolve("dist/cli/main.js");

describe("pgchaos CLI", () => {
  test("a SIGKILLed `pgchaos up` without its reaper leaves containers that `pgchaos gc` removes", async () => {
    const p = execa("node", [cli, "up", "--etcd", "1", "--patroni", "1", "--reports", tmp("pgchaos-up-")], {
      reject: false,
      // The reaper (test/e2e/reaper.test.ts) would remove them first; gc is the fallback.
      env: { PGCHAOS_QUIET: "0", PGCHAOS_REAPER: "0" },
    });
    const ready = await waitForLine(p, /pgchaos lab \S+ is ready/, 240_000);
    const runId = /pgchaos lab (\S+) is ready/.exec(ready)![1];
    const before = await leftovers(runId);
    // etcd, Patroni and the keeper of their data.
    expect(before.containers.length).toBe(3);
    expect(before.networks.length).toBe(1);
    expect(before.volumes.length).toBe(2);
    p.kill("SIGKILL");
    await p;
    // With other e2e files starting labs at the same time (PGCHAOS_E2E_JOBS > 1), a lab that
    // starts in the second between the kill and `gc` runs the same collection first (every run
    // does, start-lab.ts), so only a serial run can require that gc itself named this run.
    const alone = Number(process.env.PGCHAOS_E2E_JOBS ?? "1") <= 1;
    // Nothing cleaned up after SIGKILL: that is gc's job.
    if (alone) expect((await leftovers(runId)).containers.length).toBe(3);
    const gc = await execa("node", [cli, "gc"], { reject: false });
    expect(gc.exitCode).toBe(0);
    if (alone) expect(gc.stdout).toContain(runId);
    expect(await leftovers(runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("SIGINT during an active fault heals it, removes the lab, keeps the journal and exits 130", async () => {
    const reports = tmp("pgchaos-int-");
    const p = execa("node", [cli, "run", "test/fixtures/run/partition-then-wait.yaml", "--reports", reports], { reject: false });
    await waitForLine(p, /step 2\/2: sleep/, 300_000);
    p.kill("SIGINT");
    const r = await p;
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(130);
    const [gameDay] = await readdir(reports);
    const dir = path.join(reports, gameDay, "partition-then-wait");
    const journal = readJournal(path.join(dir, "journal.jsonl"));
    const faults = journal.events.filter((e) => e.kind === "fault");
    expect(faults.map((f) => `${f.phase}:${f.id}:${f.ok}`)).toEqual(["inject:cut:true", "heal:cut:true"]);
    const report = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));
    expect(report.outcome).toBe("error");
    expect(report.error).toMatch(/interrupted/);
    expect(await leftovers(report.runId)).toEqual({ containers: [], networks: [], volumes: [] });
    // Judged whatever was recorded: the invariants have verdicts, unknown where the history
    // cannot decide (no final read), next to the run checks.
    const verdicts = Object.fromEntries((report.verdicts as { checker: string; ok: boolean; unknown?: boolean }[]).map((v) => [v.checker, v]));
    expect(Object.keys(verdicts)).toEqual(expect.arrayContaining(["single-primary", "no-acked-write-lost", "cluster-settled", "faults-healed", "lab-teardown"]));
    expect(verdicts["no-acked-write-lost"]).toMatchObject({ ok: false, unknown: true });
    expect(verdicts["faults-healed"].ok).toBe(true);
    expect(verdicts["lab-teardown"].ok).toBe(true);
    expect(report.options.seed).toEqual(expect.any(Number));
    // The journal is the record: `pgchaos report` re-judges it into another directory with the
    // same report.json (there is no rendering-time field in it).
    const again = path.join(reports, "again");
    const rr = await execa("node", [cli, "report", dir, "--reports", again], { reject: false });
    expect(rr.exitCode, rr.stderr).toBe(2); // an errored run
    expect(await readFile(path.join(again, "report.json"), "utf8")).toBe(await readFile(path.join(dir, "report.json"), "utf8"));
    for (const f of ["report.md", "junit.xml"]) expect(await readFile(path.join(again, f), "utf8")).toBe(await readFile(path.join(dir, f), "utf8"));
  });

  test("validate: malformed scenarios get file:line:column errors and exit 2, no stack trace", async () => {
    const dir = tmp("pgchaos-bad-");
    const { writeFile } = await import("node:fs/promises");
    const bad = path.join(dir, "bad.yaml");
    await writeFile(bad, "name: bad\ndescription: x\nsteps:\n  - fault: etcd-pase\n    targets: [e1]\n");
    const r = await execa("node", [cli, "validate", bad], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:4:\\d+: .*etcd-pase`));
    expect(r.stdout + r.stderr).toContain("etcd-pause");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    const ok = await execa("node", [cli, "validate", "scenarios"], { reject: false });
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
  });

  test("unknown command and bad flags exit 2 with one sentence", async () => {
    const r = await execa("node", [cli, "frobnicate"], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
    const f = await execa("node", [cli, "up", "--etcd", "9"], { reject: false });
    expect(f.exitCode).toBe(2);
    expect(f.stderr).toMatch(/--etcd must be a whole number from 1 to 7/);
  });

  test("--help of every command exits 0 and names each declared option; --version prints package.json's", async () => {
    const { COMMANDS } = await import("../../src/cli/specs/index.js");
    for (const c of COMMANDS) {
      const r = await execa("node", [cli, c.name, "--help"], { reject: false });
      expect(r.exitCode, `${c.name}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`Usage: pgchaos ${c.name}`);
      for (const o of Object.keys(c.options)) expect(r.stdout, `${c.name} --help`).toMatch(new RegExp(`--${o}\\b`));
    }
    const top = await execa("node", [cli, "--help"]);
    for (const c of COMMANDS) {
      if (c.hidden) expect(top.stdout).not.toContain(`  ${c.name} `);
      else expect(top.stdout).toContain(`  ${c.name} `);
    }
    const v = await execa("node", [cli, "--version"]);
    const pkg = JSON.parse(await readFile("package.json", "utf8")) as { version: string };
    expect(v.stdout.trim()).toBe(pkg.version);
    const bad = await execa("node", [cli, "run", "--tga", "x"], { reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--tga'; did you mean '--tag'\? Options of run: --reports DIR/);
  });

  test("list selects by tag as JSON; run --grep with a bad regex is a clear error before any lab", async () => {
    const l = await execa("node", [cli, "list", "scenarios", "--json", "--tag", "failsafe"]);
    const rows = JSON.parse(l.stdout) as { name: string; tags: string[]; file: string; description: string }[];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.tags).toContain("failsafe");
      expect(r.file).toMatch(/^scenarios\/.*\.ya?ml$/);
      expect(r.description.length).toBeGreaterThan(0);
    }
    const all = JSON.parse((await execa("node", [cli, "list", "--json"])).stdout) as unknown[];
    expect(all.length).toBeGreaterThan(rows.length);
    const g = await execa("node", [cli, "run", "scenarios", "--grep", "("], { reject: false });
    expect(g.exitCode).toBe(2);
    expect(g.stderr).toMatch(/^pgchaos: --grep: '\(' is not a valid regular expression/);
    expect(g.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
