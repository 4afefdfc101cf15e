import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import YAML from "yaml";
import type { Verdict } from "../checker/checker.js";
import type { HistoryEvent } from "../history/events.js";
import type { KnownIssue } from "../known-issues/schema.js";
import { buildReport } from "../report/model.js";
import { loadScenario } from "../scenario/load.js";
import { explore, readState, STATE_FILE, type LabJob } from "./explore.js";
import { DEFAULT_BASE_YAML, exploreBase, type ExploreOptions } from "./schedule.js";

const base = exploreBase(DEFAULT_BASE_YAML, "default.yaml");
const options = (seed = 5): ExploreOptions => ({ seed, bases: [base], maxSteps: 4, faults: ["partition", "etcd-pause", "process-kill"], actions: ["switchover"] });

/**
 * A fake lab: a schedule with a partition fails single-primary two runs in three (flaky, as a
 * real race is); with `explainable`, the failure leaves the log line a known issue names.
 */
function fakeLab(o: { explainable?: boolean } = {}) {
  const jobs: LabJob[] = [];
  let n = 0;
  const runLab = async (job: LabJob) => {
    jobs.push(job);
    const steps = (YAML.parse(job.yaml) as { steps: Record<string, unknown>[] }).steps;
    const fails = steps.some((s) => s.fault === "partition") && ++n % 3 !== 0;
    const events: HistoryEvent[] = o.explainable && fails ? [{ kind: "log", t: 1000, node: "pg2", line: "fake race: promoted twice" }] : [];
    const verdicts: Verdict[] = [{ checker: "single-primary", ok: !fails, summary: fails ? "two primaries" : "one primary", evidence: [] }];
    return buildReport({
      runId: `run-${jobs.length}`,
      scenario: { name: job.name },
      startedAt: "2026-01-01T00:00:00Z",
      endedAt: "2026-01-01T00:03:00Z",
      origin: "2026-01-01T00:00:00Z",
      versions: { patroni: "3.0.2", postgresql: "15.5", etcd: "3.4.23" },
      events,
      verdicts,
    });
  };
  return { jobs, runLab };
}

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const tmp = async () => {
  const d = await mkdtemp(path.join(tmpdir(), "pgchaos-explore-run-"));
  dirs.push(d);
  return d;
};
const quiet = () => {};
const exists = (p: string) => stat(p).then(() => true, () => false);

describe("explore with a fake lab", () => {
  test("runs the schedules, reruns a new finding k times, shrinks it to its one partition and keeps everything under OUT; exit 1", async () => {
    const out = await tmp();
    const lab = fakeLab();
    const r = await explore({ out, options: options(), jobs: 2, runs: 12, k: 3, shrinkRuns: 200 }, { runLab: lab.runLab, progress: quiet });
    expect(r.exitCode).toBe(1);
    expect(r.state.done).toEqual([...Array(12).keys()]);
    // Partition schedules with other kinds and roles around it may be investigated side by side
    // (-j 2) before the first shrink ends; each shrinks to one partition step, and equal minimal
    // signatures are one finding.
    expect(r.findings.length).toBeGreaterThanOrEqual(1);
    const keys = r.findings.map((x) => x.minimal!.signature.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const x of r.findings) {
      expect(x.signature.failures).toEqual(["checker:single-primary"]);
      expect(x.rate?.runs).toBe(3);
      expect(x.minimal).toMatchObject({ steps: 1, stopped: "local minimum" });
      expect(x.minimal!.signature.faults).toEqual(["partition"]);
      expect(x.minimal!.signature.actions).toEqual([]);
    }
    const f = r.findings[0];
    // Every failing schedule belongs to a finding.
    const failing = r.state.runs.filter((x) => x.verdict === "finding").map((x) => x.name);
    expect(r.findings.flatMap((x) => x.schedules).sort()).toEqual([...failing].sort());

    const dir = path.join(out, "findings", f.minimal!.signature.key);
    expect(f.minimal!.signature.key).toBe("single-primary--partition--no-action--" + f.minimal!.signature.roles.join("+"));
    const minimal = await loadScenario(path.join(dir, "minimal.yaml"));
    expect(minimal.name).toBe(`${f.schedules[0]}-min`);
    expect(minimal.steps.filter((s) => s.kind === "fault" || s.kind === "action").map((s) => (s.kind === "fault" ? s.fault : s.action))).toEqual(["partition"]);
    for (const file of ["original.yaml", "finding.json", "README.md"]) expect(await exists(path.join(dir, file))).toBe(true);
    expect(await readFile(path.join(dir, "README.md"), "utf8")).toMatch(/reruns reproduced it/);
    // The pre-shrink folder is gone when the minimal signature differs.
    expect((await readdir(path.join(out, "findings"))).sort()).toEqual([...keys].sort());
    for (const file of [STATE_FILE, "findings.md", "findings.json", "findings.html", "index.html", "summary.json", "summary.md"]) expect(await exists(path.join(out, file))).toBe(true);
    expect(await readFile(path.join(out, "findings.md"), "utf8")).toContain(`findings/${f.minimal!.signature.key}/README.md`);
    // Layout: first runs in runs/<schedule>/, reruns and shrink runs beside them.
    const first = f.schedules[0];
    expect(lab.jobs.filter((j) => j.dir === path.join(out, "runs", first))).toHaveLength(1);
    expect(lab.jobs.filter((j) => j.dir.startsWith(path.join(out, "runs", first, "rerun-")))).toHaveLength(3);
    expect(lab.jobs.some((j) => j.dir.startsWith(path.join(out, "runs", first, "shrink-")))).toBe(true);
    expect(await readFile(path.join(out, "runs", first, "scenario.yaml"), "utf8")).toContain(`name: ${first}`);
    expect(r.state.labRuns).toBe(lab.jobs.length);
  });

  test("no finding: exit 0; a failure a known issue explains is counted, not a finding", async () => {
    const out = await tmp();
    const calm = await explore({ out, options: { ...options(), faults: ["etcd-pause"], actions: [] }, jobs: 1, runs: 3 }, { runLab: fakeLab().runLab, progress: quiet });
    expect(calm).toMatchObject({ exitCode: 0, findings: [] });

    const issue: KnownIssue = { id: "fake-race", summary: "two primaries", covers: { checkers: ["single-primary"] }, versions: { patroni: ">=3.0.0 <3.1.0" }, evidence: [{ matches: "promoted twice", node: "any" }] };
    const out2 = await tmp();
    const r = await explore({ out: out2, options: { ...options(), faults: ["partition"], actions: [] }, jobs: 1, runs: 4, knownIssues: [issue] }, { runLab: fakeLab({ explainable: true }).runLab, progress: quiet });
    expect(r.findings).toEqual([]);
    expect(r.state.book.explained["fake-race"]).toBeGreaterThan(0);
    expect(r.exitCode).toBe(0);
  });

  test("Ctrl-C keeps everything; a second explore on the same OUT resumes where it stopped; other options on it are refused", async () => {
    const out = await tmp();
    const ac = new AbortController();
    const lab = fakeLab();
    let runs = 0;
    const runLab = async (job: LabJob) => {
      if (++runs === 6) ac.abort();
      return lab.runLab(job);
    };
    const first = await explore({ out, options: options(), jobs: 1, runs: 12, k: 3 }, { runLab, progress: quiet, signal: ac.signal });
    expect(first).toMatchObject({ interrupted: true, exitCode: 130 });
    const saved = await readState(out);
    expect(saved!.done.length).toBeGreaterThan(0);
    expect(saved!.done.length).toBeLessThan(12);

    const lab2 = fakeLab();
    const second = await explore({ out, options: options(), jobs: 2, runs: 12, k: 3, shrinkRuns: 200 }, { runLab: lab2.runLab, progress: quiet });
    expect(second.interrupted).toBe(false);
    expect(second.state.done).toEqual([...Array(12).keys()]);
    // Schedules done before the interrupt were not run again.
    const again = lab2.jobs.filter((j) => saved!.done.some((i) => j.dir === path.join(out, "runs", `explore-5-${i}`)));
    expect(again).toEqual([]);
    for (const f of second.findings) expect(f.minimal).toBeDefined();

    await expect(explore({ out, options: options(6), jobs: 1, runs: 1 }, { runLab: lab2.runLab, progress: quiet })).rejects.toThrow(/seed 5/);
    await expect(explore({ out, options: { ...options(), maxSteps: 2 }, jobs: 1, runs: 1 }, { runLab: lab2.runLab, progress: quiet })).rejects.toThrow(/other bases, kinds/);
  });

  test("--shard I/N: the shards split the schedule indexes between them, without overlap", async () => {
    const names: string[][] = [];
    for (const index of [1, 2]) {
      const out = await tmp();
      const r = await explore({ out, options: { ...options(), faults: ["etcd-pause"], actions: [] }, jobs: 1, runs: 6, shard: { index, count: 2 } }, { runLab: fakeLab().runLab, progress: quiet });
      names.push(r.state.runs.map((x) => x.name));
    }
    expect(names[0]).toHaveLength(6);
    expect(names[1]).toHaveLength(6);
    expect(names[0].filter((n) => names[1].includes(n))).toEqual([]);
  });

  test("labs at a time follow jobsNow (the default -j) within jobs: fewer while it says so, more once it allows, and the end is not held up by a waiting slot", async () => {
    const out = await tmp();
    const lab = fakeLab();
    let limit = 1;
    let running = 0;
    const seen: number[] = [];
    const runLab = async (job: LabJob) => {
      seen.push(++running);
      if (seen.length === 3) limit = 3; // other runs on the machine ended: room for three
      // The labs 3 to 5 last until three run at once (or 6 s; a waiting slot asks every 2 s): the overlap does not hang on timing.
      const first = seen.length >= 3 && seen.length <= 5;
      const until = Date.now() + (first ? 6000 : 30);
      while (Date.now() < until && !(first && running === 3)) await new Promise((r) => setTimeout(r, 10));
      running--;
      return lab.runLab(job);
    };
    const r = await explore({ out, options: { ...options(), faults: ["etcd-pause"], actions: [] }, jobs: 4, jobsNow: () => limit, runs: 9 }, { runLab, progress: quiet });
    expect(r.state.done).toHaveLength(9);
    expect(seen.slice(0, 3)).toEqual([1, 1, 1]);
    expect(Math.max(...seen)).toBe(3);
  });

  test("an OUT explored as one shard is not resumed as another, nor without --shard", async () => {
    const out = await tmp();
    const o = { ...options(), faults: ["etcd-pause" as const], actions: [] };
    await explore({ out, options: o, jobs: 1, runs: 2, shard: { index: 1, count: 2 } }, { runLab: fakeLab().runLab, progress: quiet });
    await expect(explore({ out, options: o, jobs: 1, runs: 3, shard: { index: 2, count: 2 } }, { runLab: fakeLab().runLab, progress: quiet })).rejects.toThrow(/run with --shard 1\/2; resume it with the same, or use another --out for --shard 2\/2/);
    await expect(explore({ out, options: o, jobs: 1, runs: 3 }, { runLab: fakeLab().runLab, progress: quiet })).rejects.toThrow(/for no --shard/);
    const resumed = await explore({ out, options: o, jobs: 1, runs: 3, shard: { index: 1, count: 2 } }, { runLab: fakeLab().runLab, progress: quiet });
    expect(resumed.state.runs.length).toBeGreaterThanOrEqual(3);
  });
});
