import { describe, expect, it } from "vitest";
import type { ScenarioRunInput } from "../runner/run-scenario.js";
import { isRepeating, parseRepeatPolicy, Schedule, UNTIL_FAIL_DEFAULT_CAP, type WorkUnit } from "./schedule.js";
import { runPool } from "./pool.js";
import { AutoJobs, defaultJobs, LAB_NEEDS, TARGET_BUSY_SHARE } from "./jobs.js";
import { MachineClaims } from "./machine-claims.js";
import { labelledProgress } from "./gameday.js";
import { durationKey, expectedDurations, LabCostLearner, scenarioEstimateMs } from "./lab-cost.js";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { tempDirs } from "../../test/temp-dirs.js";

const tempDir = async () => tmp("pgchaos-jobs-");
const tmp = tempDirs();

const input = (name: string) => ({ scenario: { name }, file: `${name}.yaml`, text: "", stepLines: [] }) as unknown as ScenarioRunInput;
const items = ["a", "b", "c"].map((n) => ({ input: input(n) }));
const drain = (s: Schedule, onEach: (u: WorkUnit) => void = () => {}) => {
  const out: string[] = [];
  for (let u = s.next(); u; u = s.next()) {
    out.push(`${u.input.scenario.name}${u.repeat}`);
    onEach(u);
  }
  return out;
};

describe("repeat policy", () => {
  it("parses --repeat, --until-fail and --for, and says what is allowed", () => {
    expect(parseRepeatPolicy({})).toEqual({ repeat: 1, untilFail: false });
    expect(isRepeating(parseRepeatPolicy({}))).toBe(false);
    expect(parseRepeatPolicy({ repeat: "5" })).toEqual({ repeat: 5, untilFail: false });
    expect(parseRepeatPolicy({ untilFail: true })).toEqual({ repeat: UNTIL_FAIL_DEFAULT_CAP, untilFail: true });
    expect(parseRepeatPolicy({ for: "30m" })).toEqual({ repeat: Infinity, untilFail: false, forMs: 1_800_000 });
    expect(parseRepeatPolicy({ for: "1h", repeat: "3", untilFail: true })).toEqual({ repeat: 3, untilFail: true, forMs: 3_600_000 });
    for (const bad of ["0", "-1", "2.5", "x"]) expect(() => parseRepeatPolicy({ repeat: bad })).toThrow(/--repeat must be a whole number from 1/);
    expect(() => parseRepeatPolicy({ for: "soon" })).toThrow(/--for: a duration is a number with a unit/);
    expect(() => parseRepeatPolicy({ for: "0s" })).toThrow(/--for must be longer than 0/);
  });
});

describe("Schedule", () => {
  it("without repeats hands out each scenario once, in order", () => {
    expect(drain(new Schedule(items, parseRepeatPolicy({})))).toEqual(["a1", "b1", "c1"]);
  });

  it("repeats in rounds", () => {
    expect(drain(new Schedule(items, parseRepeatPolicy({ repeat: "2" })))).toEqual(["a1", "b1", "c1", "a2", "b2", "c2"]);
  });

  it("with --until-fail stops a scenario at its first run that does not pass, whatever the outcome is called", () => {
    const s = new Schedule(items, parseRepeatPolicy({ untilFail: true, repeat: "4" }));
    const outcome: Record<string, string> = { b2: "fail", c1: "known" };
    expect(drain(s, (u) => s.done(u, outcome[`${u.input.scenario.name}${u.repeat}`] ?? "pass"))).toEqual(["a1", "b1", "c1", "a2", "b2", "a3", "a4"]);
  });

  it("with --for starts no run after the time box", () => {
    let now = 0;
    const s = new Schedule(items, parseRepeatPolicy({ for: "10s" }), () => now);
    const got = drain(s, () => (now += 1500));
    expect(got).toHaveLength(7);
    expect(got.slice(0, 4)).toEqual(["a1", "b1", "c1", "a2"]);
  });
});

describe("runPool", () => {
  it("runs at most `jobs` units at once, all of them, pulling lazily", async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    let i = 0;
    await runPool(3, () => (i < 10 ? i++ : undefined), async (u) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5 + (u % 3) * 5));
      running--;
      done.push(u);
    });
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("takes no new unit once aborted or after a worker threw, and rethrows the first error", async () => {
    let i = 0;
    const started: number[] = [];
    await expect(
      runPool(2, () => (i < 10 ? i++ : undefined), async (u) => {
        started.push(u);
        await new Promise((r) => setTimeout(r, 5));
        if (u === 1) throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(started.length).toBeLessThanOrEqual(3);
    const ac = new AbortController();
    ac.abort();
    let pulled = 0;
    await runPool(2, () => (pulled++, 1), async () => {}, ac.signal);
    expect(pulled).toBe(0);
  });
});

describe("defaultJobs", () => {
  it("takes the smaller of what the idle cores and the free memory carry, at least 1, at most 8", () => {
    expect(defaultJobs({ cores: 2, freeMiB: 64_000, otherBusyCores: 0 })).toBe(Math.min(8, Math.floor((2 * TARGET_BUSY_SHARE) / LAB_NEEDS.cpuCores)));
    expect(defaultJobs({ cores: 64, freeMiB: 1024 + 2 * LAB_NEEDS.memMiB + 1, otherBusyCores: 0 })).toBe(2);
    expect(defaultJobs({ cores: 1, freeMiB: 100, otherBusyCores: 0 })).toBe(1);
    expect(defaultJobs({ cores: 256, freeMiB: 1_000_000, otherBusyCores: 0 })).toBe(8);
  });

  it("counts cores other work keeps busy: a loaded machine gets fewer labs", () => {
    expect(defaultJobs({ cores: 2, freeMiB: 64_000, otherBusyCores: 1 })).toBe(Math.max(1, Math.floor(TARGET_BUSY_SHARE / LAB_NEEDS.cpuCores)));
    expect(defaultJobs({ cores: 2, freeMiB: 64_000, otherBusyCores: 17 })).toBe(1);
  });
});

describe("AutoJobs: the default -j follows what the runs cost", () => {
  // (claims of their own: the machine's real folder may hold another pgchaos's)
  const alone = async () => new MachineClaims(await tempDir(), "this-session");
  const run = (coreSec: number, wallSec: number, outcome = "pass") =>
    ({ outcome, durations: { totalMs: wallSec * 1000, historyMs: 0, cpu: { labCoreSec: coreSec * 0.8, harnessCoreSec: coreSec * 0.2 } } }) as never;

  it("starts from the prior, and from the third measured run follows their median share of a core", async () => {
    const a = new AutoJobs({ cores: 2, freeMiB: 64_000, otherBusyCores: 0 }, await alone());
    expect(a.current()).toBe(Math.floor((2 * TARGET_BUSY_SHARE) / LAB_NEEDS.cpuCores));
    a.learner.learn(run(10, 40)); // 0.25 core
    a.learner.learn(run(12, 40)); // 0.3
    expect(a.current()).toBe(Math.floor((2 * TARGET_BUSY_SHARE) / LAB_NEEDS.cpuCores)); // two runs: still the prior
    a.learner.learn(run(60, 40)); // 1.5: one dear run does not swing the median
    expect(a.learner.need().cores).toBeCloseTo(0.3);
    expect(a.learner.need().from).toBe("median of 3 runs");
    expect(a.current()).toBe(5); // floor(2 * 0.8 / 0.3)
  });

  it("learns nothing from skipped or errored runs, nor from journals without a measurement", () => {
    const l = new LabCostLearner(0.5, 1);
    l.learn(run(10, 40, "skipped"));
    l.learn(run(10, 40, "error"));
    l.learn({ outcome: "pass", durations: { totalMs: 40_000, historyMs: 0 } } as never);
    expect(l.need().from).toBe("prior");
  });

  it("never goes past what the memory carries", async () => {
    const a = new AutoJobs({ cores: 64, freeMiB: 1024 + 3 * LAB_NEEDS.memMiB, otherBusyCores: 0 }, await alone());
    expect(a.max).toBe(3);
    expect(a.current()).toBe(3);
  });
});

describe("runPool with a limit that moves", () => {
  it("runs no more units at once than the limit says at the time each is taken", async () => {
    let limit = 1;
    let active = 0;
    const seen: number[] = [];
    const units = [1, 2, 3, 4, 5, 6];
    await runPool(
      { max: 4, current: () => limit },
      () => units.shift(),
      async (u) => {
        active++;
        seen.push(active);
        if (u === 2) limit = 3; // learnt after the first runs: more at once from now on
        await new Promise((r) => setTimeout(r, 20));
        active--;
      },
    );
    expect(seen.slice(0, 2)).toEqual([1, 1]);
    expect(Math.max(...seen)).toBe(3);
  });
});

describe("longest first", () => {
  it("estimates a scenario's run from its steps when no earlier game day ran it", () => {
    const short = scenarioEstimateMs({ settle: 20_000, steps: [{ kind: "sleep", sleep: 5000 }] } as never);
    const long = scenarioEstimateMs({ settle: 20_000, steps: [{ kind: "expect", within: 60_000 }, { kind: "expect", for: 30_000 }] } as never);
    expect(long).toBeGreaterThan(short);
  });

  it("reads the median wall time of each scenario and stack from the last game days' summaries", async () => {
    const dir = await tempDir();
    for (const [g, ms] of [["20261201-000000-a", 40_000], ["20261202-000000-b", 60_000], ["20261203-000000-c", 50_000]] as const) {
      await mkdir(path.join(dir, g));
      await writeFile(path.join(dir, g, "summary.json"), JSON.stringify({ runs: [{ scenario: "q", durationMs: ms, outcome: "pass" }, { scenario: "q", stack: "sid", durationMs: 1, outcome: "skipped" }] }));
    }
    const d = expectedDurations(dir);
    expect(d.get(durationKey("q"))).toBe(50_000);
    expect(d.has(durationKey("q", "sid"))).toBe(false);
  });
});

describe("labelledProgress", () => {
  it("widens the runner's [scenario] prefix to the run's label and prefixes other lines", () => {
    const lines: string[] = [];
    const p = labelledProgress((l) => lines.push(l), "quorum", "quorum #3");
    p("[quorum] step 1/4: pause e1");
    p("building lab image");
    expect(lines).toEqual(["[quorum #3] step 1/4: pause e1", "[quorum #3] building lab image"]);
  });
});
