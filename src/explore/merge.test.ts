import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import YAML from "yaml";
import { buildReport } from "../report/model.js";
import { writeIndex, writeReports } from "../report/write.js";
import { shardOf } from "../runner/shard.js";
import { UserFacingError } from "../util/errors.js";
import { mergeCommand } from "../cli/commands/merge.js";
import { tempDirs } from "../../test/temp-dirs.js";
import { explore, exploreIdentity, exploreSettings, readState, STATE_FILE, writeFindingFiles, writeFindingsIndex, type ExploreState, type LabJob } from "./explore.js";
import { bookRun, emptyBook, findingDir, reproductionRate, settleMinimal, signatureOf, type Finding } from "./findings.js";
import { DEFAULT_BASE_YAML, exploreBase, toYaml, type ExploreOptions } from "./schedule.js";
import { mergeExplorations, MERGE_FILE } from "./merge.js";

const tmp = tempDirs();
const base = exploreBase(DEFAULT_BASE_YAML, "default.yaml");
const options = (seed = 5, o: Partial<ExploreOptions> = {}): ExploreOptions => ({ seed, bases: [base], maxSteps: 4, faults: ["partition", "etcd-pause", "process-kill"], actions: ["switchover"], ...o });
const doc = (yaml: string) => YAML.parse(yaml) as Record<string, unknown>;
const quiet = () => {};
const read = (p: string) => readFileSync(p, "utf8");

/* A few schedules as explore writes them (only the steps matter to a signature). */
const PARTITION_LEADER = "steps: [{ id: f1-partition, fault: partition, targets: leader@start, duration: 10s }]";
const PARTITION_LEADER_PAUSE = "steps: [{ id: f1-etcd-pause, fault: etcd-pause, targets: e1 }, { id: f2-partition, fault: partition, targets: leader@f1-etcd-pause }]";
const PARTITION_PAUSE_KILL =
  "steps: [{ id: f1-partition, fault: partition, targets: leader@start }, { id: f2-etcd-pause, fault: etcd-pause, targets: e2 }, { id: f3-process-kill, fault: process-kill, targets: pg3, process: postgres }]";
const PAUSE_KILL = "steps: [{ id: f1-etcd-pause, fault: etcd-pause, targets: e1 }, { id: f2-process-kill, fault: process-kill, targets: pg2, process: postgres }]";
const PARTITION_KILL = "steps: [{ id: f1-partition, fault: partition, targets: leader@start }, { id: f2-process-kill, fault: process-kill, targets: pg3, process: postgres }]";
const PARTITION_SWITCHOVER = "steps: [{ id: f1-partition, fault: partition, targets: leader@start }, { id: a2-switchover, action: switchover, candidate: pg2 }]";
const SWITCHOVER_KILL = "steps: [{ id: a1-switchover, action: switchover, candidate: pg2 }, { id: f2-process-kill, fault: process-kill, targets: pg1, process: patroni }]";

interface FixtureFinding {
  /** The schedule found failing (its steps). */
  original: string;
  failures?: string[];
  /** The reruns' results. */
  rate: boolean[];
  /** The minimal schedule it shrank to; absent: still being shrunk. */
  minimal?: string;
  /** More schedules of this shard that failed the same way. */
  again?: number;
  /** No shrink candidate reproduced it: the failing run it links to is the schedule's first (reruns inside). */
  firstRun?: boolean;
}

const report = (name: string, failures: readonly string[]) =>
  buildReport({
    runId: name,
    scenario: { name },
    startedAt: "2026-01-01T00:00:00Z",
    endedAt: "2026-01-01T00:03:00Z",
    origin: "2026-01-01T00:00:00Z",
    events: [],
    verdicts: [{ checker: "single-primary", ok: !failures.length, summary: "", evidence: [] }],
  });

const countSteps = (d: Record<string, unknown>) => (d.steps as Record<string, unknown>[]).filter((s) => "fault" in s || "action" in s).length;

/**
 * An OUT as `explore --shard I/N` leaves it, made through explore's own booking (bookRun,
 * settleMinimal) and writers (writeFindingFiles, writeFindingsIndex): the schedule indexes of
 * the share, a first run per schedule, reruns, a shrink run the finding links to.
 */
async function shardOut(
  dir: string,
  o: { seed?: number; shard?: [number, number]; findings?: FixtureFinding[]; passing?: number; explained?: Record<string, number>; k?: number; noSettings?: boolean },
): Promise<ExploreState> {
  const seed = o.seed ?? 5;
  const opts = options(seed);
  const share: number[] = [];
  const needed = (o.findings ?? []).reduce((a, f) => a + 1 + (f.again ?? 0), 0) + (o.passing ?? 1);
  for (let i = 0; share.length < needed; i++) if (!o.shard || shardOf(`${seed}/${i}`, o.shard[1]) === o.shard[0]) share.push(i);
  const state: ExploreState = {
    version: 1,
    seed,
    identity: exploreIdentity(opts),
    done: [],
    labRuns: 0,
    runs: [],
    book: emptyBook(),
    shrinking: {},
    ...(o.noSettings ? {} : { settings: exploreSettings({ options: opts, ...(o.shard ? { shard: { index: o.shard[0], count: o.shard[1] } } : {}), k: o.k ?? 3 }) }),
  };
  const next = async (steps: string, failures: string[]) => {
    const name = `explore-${seed}-${share.shift()}`;
    const rel = path.join("runs", name);
    await writeReports(path.join(dir, rel), report(name, failures));
    await writeFile(path.join(dir, rel, "scenario.yaml"), toYaml({ name, ...doc(steps) }));
    state.runs.push({ name, dir: rel, verdict: failures.length ? "finding" : "pass", failures });
    state.labRuns++;
    return name;
  };
  for (const f of o.findings ?? []) {
    const failures = f.failures ?? ["checker:single-primary"];
    const judged = { verdict: "finding" as const, failures, setAside: [], explainedBy: [] };
    const name = await next(f.original, failures);
    const finding = bookRun(state.book, name, judged, doc(f.original)).finding!;
    for (let r = 1; r <= f.rate.length; r++) await writeReports(path.join(dir, "runs", name, `rerun-${r}`), report(name, f.rate[r - 1] ? failures : []));
    finding.rate = reproductionRate(f.rate);
    state.labRuns += f.rate.length;
    const key = finding.signature.key;
    await mkdir(path.join(dir, "findings", key), { recursive: true });
    await writeFile(path.join(dir, "findings", key, "original.yaml"), toYaml({ name, ...doc(f.original) }));
    if (f.minimal) {
      const min = doc(f.minimal);
      const shrinkRun = f.firstRun ? path.join("runs", name) : path.join("runs", name, "shrink-002");
      await writeReports(path.join(dir, "runs", name, "shrink-002"), report(`${name}-min`, failures));
      state.labRuns += 2;
      const kept = settleMinimal(state.book, finding, { signature: signatureOf(failures, min), steps: countSteps(min), shrinkSteps: 1, runs: 2, stopped: "local minimum", log: ["1: dropped a step"], report: shrinkRun });
      // As explore does: the folder is named by the minimal schedule's signature once shrunk.
      const folder = path.join(dir, "findings", findingDir(kept));
      const original = read(path.join(dir, "findings", key, "original.yaml"));
      if (findingDir(kept) !== key) await rm(path.join(dir, "findings", key), { recursive: true });
      await mkdir(folder, { recursive: true });
      if (kept === finding) {
        await writeFile(path.join(folder, "minimal.yaml"), toYaml({ name: `${name}-min`, ...min }));
        await writeFile(path.join(folder, "original.yaml"), original);
      }
      await writeFindingFiles(dir, kept);
    } else {
      await writeFindingFiles(dir, finding);
    }
    for (let a = 0; a < (f.again ?? 0); a++) {
      const again = await next(f.original, failures);
      bookRun(state.book, again, judged, doc(f.original));
    }
  }
  for (let p = 0; p < (o.passing ?? 1); p++) await next("steps: [{ fault: etcd-pause, targets: e1 }]", []);
  state.book.explained = { ...o.explained };
  state.done = state.runs.map((r) => Number(/-(\d+)$/.exec(r.name)![1])).sort((a, b) => a - b);
  await writeFile(path.join(dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  await writeFindingsIndex(dir, state);
  await writeIndex(dir, []);
  return state;
}

/** The files a link in a README (relative to its folder) points to exist. */
function linksResolve(readme: string): string[] {
  const text = read(readme);
  return [...text.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]).filter((l) => !existsSync(path.resolve(path.dirname(readme), l)));
}

async function failsWith(p: Promise<unknown>): Promise<UserFacingError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UserFacingError);
  return e as UserFacingError;
}

describe("merging the OUTs of one exploration's shards", () => {
  test("findings with one signature in two shards are one: the smaller minimal schedule, its failing run, both shards' schedules and rates", async () => {
    const root = tmp("pgchaos-xmerge-");
    const [a, b, out] = ["shard-1", "shard-2", "merged"].map((d) => path.join(root, d));
    // Different schedules shrunk to the same signature: shard 1 to one step (1 of 3 reruns), shard 2 also to one step but 3 of 3.
    const s1 = await shardOut(a, { shard: [1, 2], findings: [{ original: PARTITION_LEADER_PAUSE, rate: [true, false, false], minimal: PARTITION_LEADER, again: 1 }] });
    const s2 = await shardOut(b, { shard: [2, 2], findings: [{ original: PARTITION_PAUSE_KILL, rate: [true, true, true], minimal: PARTITION_LEADER }] });
    const m = await mergeExplorations([b, a], out);

    expect(m.findings).toHaveLength(1);
    const f = m.findings[0];
    const first2 = s2.book.findings[0].schedules[0];
    // The better rate (same step count) wins; its schedule goes first (the one shrunk), then shard 1's two.
    expect(f.schedules).toEqual([first2, ...s1.book.findings[0].schedules]);
    expect(f.rate).toMatchObject({ reproduced: 3, runs: 3 });
    expect(f.mergedFrom?.map((x) => [x.shard, x.schedule, x.schedules, `${x.rate?.reproduced}/${x.rate?.runs}`])).toEqual([
      ["1/2", s1.book.findings[0].schedules[0], 2, "1/3"],
      ["2/2", first2, 1, "3/3"],
    ]);
    const dir = path.join(out, "findings", findingDir(f));
    expect(read(path.join(dir, "original.yaml"))).toBe(read(path.join(b, "findings", findingDir(s2.book.findings[0]), "original.yaml")));
    expect(read(path.join(dir, "minimal.yaml"))).toContain(`name: ${first2}-min`);
    // The failing run it links to is copied to the same place under the merged OUT; the shard's reruns are not.
    expect(f.minimal?.report).toBe(path.join("runs", first2, "shrink-002"));
    expect(existsSync(path.join(out, f.minimal!.report!, "report.md"))).toBe(true);
    expect(existsSync(path.join(out, "runs", first2, "rerun-1"))).toBe(false);
    const readme = path.join(dir, "README.md");
    expect(read(readme)).toContain(`[report.md](../../runs/${first2}/shrink-002/report.md)`);
    expect(read(readme)).toContain("1/3 reruns of " + s1.book.findings[0].schedules[0]);
    expect(linksResolve(readme)).toEqual([]);
    expect(JSON.parse(read(path.join(dir, "finding.json")))).toEqual(f);
    // Each shard's rate with the schedule it is of; no rate of both.
    const md = read(path.join(out, "findings.md"));
    expect(md).toContain(`| 1/3 (${s1.book.findings[0].schedules[0]}), 3/3 (${first2}) |`);
    expect(md).toContain("5 schedule(s) run");
    expect(md).toMatch(/Merged from shard 1\/2 \(\.\.\/shard-1\), shard 2\/2 \(\.\.\/shard-2\)/);
    expect(read(path.join(out, "summary.md"))).toContain("../shard-2/runs/");
    expect(JSON.parse(read(path.join(out, MERGE_FILE))).outs.map((x: { shard: string }) => x.shard)).toEqual(["1/2", "2/2"]);
  });

  test("fewer minimal steps win over a better rate; a schedule that contains another shard's minimal counts for it", async () => {
    const root = tmp("pgchaos-xmerge-");
    const [a, b, c, out] = ["s1", "s2", "s3", "m"].map((d) => path.join(root, d));
    // Shard 1's schedule contains what shard 2's shrank to (and shard 2's not shard 1's minimal): no signature in common.
    const s1 = await shardOut(a, { shard: [1, 3], findings: [{ original: PARTITION_PAUSE_KILL, rate: [true, true, true], minimal: PARTITION_KILL }] });
    const s2 = await shardOut(b, { shard: [2, 3], findings: [{ original: PARTITION_LEADER_PAUSE, rate: [true, false, false], minimal: PARTITION_LEADER }] });
    // Not shrunk yet, but its kinds and roles contain shard 2's minimal one's.
    const s3 = await shardOut(c, { shard: [3, 3], findings: [{ original: PARTITION_SWITCHOVER, rate: [true] }] });
    const m = await mergeExplorations([a, b, c], out);
    expect(m.findings).toHaveLength(1);
    const [f] = m.findings;
    expect(f.minimal?.steps).toBe(1);
    expect(f.schedules[0]).toBe(s2.book.findings[0].schedules[0]);
    expect(new Set(f.schedules)).toEqual(new Set([s1, s2, s3].flatMap((s) => s.book.findings[0].schedules)));
    expect(f.mergedFrom?.map((x) => x.minimalSteps)).toEqual([2, 1, undefined]);
    expect(readdirSync(path.join(out, "findings"))).toEqual([findingDir(f)]);
    expect(m.notes.join("\n")).toMatch(/s3: 1 finding\(s\) not yet rerun or shrunk/);
  });

  test("findings of different signatures stay apart, each with its own folder; known issues' counts add up; missing shards are said", async () => {
    const root = tmp("pgchaos-xmerge-");
    const [a, b, out] = ["a", "b", "out"].map((d) => path.join(root, d));
    await shardOut(a, { shard: [1, 3], findings: [{ original: PARTITION_LEADER_PAUSE, rate: [true, true], minimal: PARTITION_LEADER }], explained: { "fake-race": 2 } });
    await shardOut(b, {
      shard: [3, 3],
      findings: [
        { original: PAUSE_KILL, failures: ["checker:no-acked-write-lost"], rate: [true], minimal: PAUSE_KILL, firstRun: true },
        { original: SWITCHOVER_KILL, failures: ["step:settled"], rate: [false] },
      ],
      explained: { "fake-race": 1, "other-issue": 4 },
    });
    const m = await mergeExplorations([a, b], out);
    expect(m.findings.map((f) => f.signature.failures)).toEqual([["checker:single-primary"], ["checker:no-acked-write-lost"], ["step:settled"]]);
    expect(m.findings.every((f) => f.mergedFrom === undefined)).toBe(true);
    expect(readdirSync(path.join(out, "findings")).sort()).toEqual(m.findings.map(findingDir).sort());
    for (const f of m.findings) expect(linksResolve(path.join(out, "findings", findingDir(f), "README.md"))).toEqual([]);
    // A finding that links to its schedule's first run: that run is copied, not the reruns and shrink runs explore keeps inside it.
    const first = m.findings[1].minimal!.report!;
    expect(first).toBe(path.join("runs", m.findings[1].schedules[0]));
    expect(readdirSync(path.join(out, first)).sort()).toEqual(readdirSync(path.join(b, first)).filter((x) => !/^(rerun|shrink)-/.test(x)).sort());
    expect(readdirSync(path.join(b, first))).toContain("rerun-1");
    expect(m.explained).toEqual({ "fake-race": 3, "other-issue": 4 });
    expect(read(path.join(out, "findings.md"))).toContain("Explained by known issues (counted, not findings): fake-race 3×, other-issue 4×.");
    expect(m.notes.join("\n")).toContain("shard(s) 2/3 not merged");
  });

  test("a merged OUT's findings.json, re-read, is what explore's writer makes of it; one OUT merged alone is that OUT's findings exactly", async () => {
    const root = tmp("pgchaos-xmerge-");
    const [a, b, out] = ["a", "b", "out"].map((d) => path.join(root, d));
    await shardOut(a, { shard: [1, 2], findings: [{ original: PARTITION_LEADER_PAUSE, rate: [true, true], minimal: PARTITION_LEADER }], explained: { x: 1 } });
    await shardOut(b, { shard: [2, 2], findings: [{ original: PARTITION_PAUSE_KILL, rate: [true], minimal: PARTITION_LEADER }, { original: PAUSE_KILL, failures: ["checker:no-acked-write-lost"], rate: [true] }] });
    const m = await mergeExplorations([a, b], out);
    const json = JSON.parse(read(path.join(out, "findings.json"))) as { seed: number; findings: Finding[]; explained: Record<string, number> };
    expect(json).toEqual({ seed: 5, findings: m.findings, explained: m.explained });
    const again = tmp("pgchaos-xmerge-rewrite-");
    const shards = [
      { out: "../a", shard: "1/2" },
      { out: "../b", shard: "2/2" },
    ];
    await writeFindingsIndex(again, { seed: json.seed, done: [...Array(m.schedules).keys()], labRuns: m.labRuns, book: { findings: json.findings, explained: json.explained } }, shards);
    // The pages are explore's writer's, the merged rates in them.
    for (const file of ["findings.json", "findings.md", "findings.html"]) expect(read(path.join(again, file))).toBe(read(path.join(out, file)));
    expect(read(path.join(out, "findings.md"))).toMatch(/\| 2\/2 \(explore-5-\d+\), 1\/1 \(explore-5-\d+\) \|/);

    // A real exploration's OUT (explore with a fake lab), merged alone: its own findings, byte for byte.
    const solo = path.join(root, "solo");
    const r = await explore({ out: solo, options: options(), jobs: 1, runs: 6, k: 2, shrinkRuns: 12 }, { runLab: fakeLab().runLab, progress: quiet });
    expect(r.findings.length).toBeGreaterThan(0);
    const one = path.join(root, "one");
    await mergeExplorations([solo], one);
    expect(read(path.join(one, "findings.json"))).toBe(read(path.join(solo, "findings.json")));
    expect(read(path.join(one, "findings.md"))).toBe(read(path.join(solo, "findings.md")));
    for (const f of r.findings) {
      for (const file of ["minimal.yaml", "original.yaml"]) expect(read(path.join(one, "findings", findingDir(f), file))).toBe(read(path.join(solo, "findings", findingDir(f), file)));
      // explore writes finding.json when a finding is found and shrunk, not when a later schedule is booked for it: merge writes the record as it ended.
      expect(JSON.parse(read(path.join(one, "findings", findingDir(f), "finding.json")))).toEqual(f);
    }
  }, 30_000); // whole explorations (a fake lab, but real shrinks): past vitest's 5 s on a loaded machine
});

/** A fake lab: a schedule with a partition fails single-primary, every time; its reports are written as a real lab's are. */
function fakeLab() {
  const jobs: LabJob[] = [];
  const runLab = async (job: LabJob) => {
    jobs.push(job);
    const steps = (YAML.parse(job.yaml) as { steps: Record<string, unknown>[] }).steps;
    const r = report(job.name, steps.some((s) => s.fault === "partition") ? ["x"] : []);
    await writeReports(job.dir, r);
    return r;
  };
  return { jobs, runLab };
}

describe("pgchaos merge over explore OUTs", () => {
  test("the shards of a real exploration: every failing schedule in a merged finding; exit 1 with a finding, 0 without", async () => {
    const root = tmp("pgchaos-xmerge-cli-");
    const outs: string[] = [];
    for (const index of [1, 2]) {
      const out = path.join(root, `shard-${index}`);
      await explore({ out, options: options(), jobs: 1, runs: 4, k: 2, shrinkRuns: 12, shard: { index, count: 2 } }, { runLab: fakeLab().runLab, progress: quiet });
      outs.push(out);
    }
    const lines: string[] = [];
    const merged = path.join(root, "merged");
    expect(await mergeCommand({ dirs: outs, out: merged }, (s) => lines.push(s))).toBe(1);
    const states = await Promise.all(outs.map(async (o) => (await readState(o))!));
    const failing = states.flatMap((s) => s.runs.filter((x) => x.verdict === "finding").map((x) => x.name));
    expect(failing.length).toBeGreaterThan(0);
    const json = JSON.parse(read(path.join(merged, "findings.json"))) as { findings: Finding[] };
    expect(json.findings.flatMap((f) => f.schedules).sort()).toEqual([...failing].sort());
    expect(lines[0]).toMatch(/^merged exploration seed 5 from 2 OUT\(s\) \(1\/2, 2\/2\): 8 schedule\(s\)/);
    expect(JSON.parse(read(path.join(merged, "summary.json"))).runs).toHaveLength(8);

    const calm: string[] = [];
    for (const index of [1, 2]) {
      const out = path.join(root, `calm-${index}`);
      await explore({ out, options: options(5, { faults: ["etcd-pause"], actions: [] }), jobs: 1, runs: 2, shard: { index, count: 2 } }, { runLab: fakeLab().runLab, progress: quiet });
      calm.push(out);
    }
    expect(await mergeCommand({ dirs: calm, out: path.join(root, "calm") }, quiet)).toBe(0);
  }, 30_000); // whole explorations (a fake lab, but real shrinks): past vitest's 5 s on a loaded machine

  test("refuses OUTs of different seeds or options, naming the folders and what differs; nothing is written", async () => {
    const root = tmp("pgchaos-xmerge-cli-");
    const [a, b, c, out] = ["a", "b", "c", "out"].map((d) => path.join(root, d));
    await shardOut(a, { shard: [1, 2] });
    await shardOut(b, { seed: 6, shard: [2, 2] });
    await shardOut(c, { shard: [2, 2], k: 5 });
    const seeds = await failsWith(mergeCommand({ dirs: [a, b], out }, quiet));
    expect(seeds.exitCode).toBe(2);
    expect(seeds.message).toContain(`${a} and ${b} are not shards of one exploration: seed 5 in ${a}, 6 in ${b}`);
    const reruns = await failsWith(mergeCommand({ dirs: [a, c], out }, quiet));
    expect(reruns.message).toContain(`--reruns 3 in ${a}, 5 in ${c}`);
    expect(existsSync(out)).toBe(false);
    // An OUT of an earlier pgchaos (no readable settings): the identity still tells.
    const d = path.join(root, "d");
    const old = await shardOut(d, { shard: [2, 2], noSettings: true });
    old.identity = exploreIdentity(options(5, { maxSteps: 2 }));
    writeFileSync(path.join(d, STATE_FILE), JSON.stringify(old));
    expect((await failsWith(mergeCommand({ dirs: [a, d], out }, quiet))).message).toMatch(/other base scenarios, kinds, --max-steps or stacks/);
  });

  test("refuses the same shard twice, a whole exploration beside a shard, and an OUT given twice", async () => {
    const root = tmp("pgchaos-xmerge-cli-");
    const [a, b, whole, out] = ["a", "b", "whole", "out"].map((d) => path.join(root, d));
    await shardOut(a, { shard: [1, 2] });
    await shardOut(b, { shard: [1, 2] });
    await shardOut(whole, {});
    const same = await failsWith(mergeCommand({ dirs: [a, b], out }, quiet));
    expect(same.exitCode).toBe(2);
    expect(same.message).toContain(`${a} and ${b} are both shard 1/2`);
    expect((await failsWith(mergeCommand({ dirs: [a, whole], out }, quiet))).message).toContain(`${whole} ran without --shard (every schedule), so it is no shard to merge with ${a}`);
    expect((await failsWith(mergeCommand({ dirs: [a, `${a}/`], out }, quiet))).message).toMatch(/a is given twice/);
    // OUTs that do not record their shard: the schedules both ran give them away.
    const [c, d] = ["c", "d"].map((x) => path.join(root, x));
    await shardOut(c, { shard: [2, 2], noSettings: true });
    await shardOut(d, { shard: [2, 2], noSettings: true });
    expect((await failsWith(mergeCommand({ dirs: [c, d], out }, quiet))).message).toMatch(/both ran 1 schedule\(s\) \(explore-5-\d+\): the same shard twice\?/);
    expect(existsSync(out)).toBe(false);
  });

  test("refuses game-day folders mixed with explore OUTs, a merged OUT as input, and an input as --out", async () => {
    const root = tmp("pgchaos-xmerge-cli-");
    const [a, b, gd, out] = ["a", "b", "gd", "out"].map((d) => path.join(root, d));
    await shardOut(a, { shard: [1, 2] });
    await shardOut(b, { shard: [2, 2] });
    await writeReports(path.join(gd, "x"), report("x", []));
    await writeIndex(gd, [report("x", [])], { reportLink: () => "x/report.md" });
    const mixed = await failsWith(mergeCommand({ dirs: [a, gd], out }, quiet));
    expect(mixed.exitCode).toBe(2);
    expect(mixed.message).toBe(`merge takes game-day folders or the OUTs of one exploration, not both: ${a} is an explore OUT (explore-state.json), ${gd} is not`);
    expect((await failsWith(mergeCommand({ dirs: [a, b], out: a }, quiet))).message).toContain(`--out ${a} is one of the OUTs merged`);
    expect(await mergeCommand({ dirs: [a, b], out }, quiet)).toBe(0);
    expect((await failsWith(mergeCommand({ dirs: [out, b], out: path.join(root, "again") }, quiet))).message).toContain(`${out} is a merged exploration`);
    // Merging again into the same folder replaces what the first merge wrote.
    expect(await mergeCommand({ dirs: [a, b], out }, quiet)).toBe(0);
  });
});
