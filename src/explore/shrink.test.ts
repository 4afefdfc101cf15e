import { describe, expect, test } from "vitest";
import YAML from "yaml";
import { parseScenario } from "../scenario/load.js";
import { DEFAULT_BASE_YAML, exploreBase, generateSchedule, HEAL_ALL_ID, SETTLED_ID, toYaml } from "./schedule.js";
import { shrink, unitsOf, withoutSteps, type Candidate } from "./shrink.js";

type Step = Record<string, unknown>;
const stepsOf = (doc: Record<string, unknown>) => doc.steps as Step[];
const eventIds = (doc: Record<string, unknown>) => stepsOf(doc).filter((s) => "fault" in s || "action" in s).map((s) => s.id);

const base = exploreBase(DEFAULT_BASE_YAML, "default.yaml");

/** A drawn schedule with at least `n` fault and action steps, one of those at `multi` (default: any) with several targets. */
function scheduleWith(n: number, multi?: number[]) {
  for (let i = 0; ; i++) {
    const s = generateSchedule({ seed: 11, bases: [base], maxSteps: 8 }, i);
    const events = stepsOf(s.doc).filter((st) => "fault" in st || "action" in st);
    const some = multi ? multi.map((j) => events[j]).filter((e) => e !== undefined) : events;
    if (events.length >= n && "patroni" in s.doc && some.some((e) => Array.isArray(e.targets) && e.targets.length > 1)) return s;
  }
}

describe("shrinking", () => {
  test("a failure that needs two particular steps shrinks to exactly those two, with everything else at its simplest", async () => {
    const s = scheduleWith(5, [1, 3]);
    const ids = eventIds(s.doc);
    const needed = [ids[1], ids[3]];
    let calls = 0;
    // Flaky: with both steps present it fails one run in three; k = 3 keeps such a candidate.
    const runner = async (c: Candidate) => {
      calls++;
      const present = needed.every((id) => eventIds(c.doc).includes(id));
      return present && calls % 3 === 0;
    };
    const onStep: string[] = [];
    const r = await shrink(s.doc, { runner, k: 3, onStep: (st) => void onStep.push(st.what) });
    expect(r.stopped).toBe("local minimum");
    expect(eventIds(r.minimal)).toEqual(needed);
    const steps = stepsOf(r.minimal);
    // What is judged stays: the final heal and the settle expectation.
    expect(steps.slice(-2).map((st) => st.id)).toEqual([HEAL_ALL_ID, SETTLED_ID]);
    // Nothing else is left: no sleeps, no Patroni settings, one target each, no optional parameter, durations cut.
    expect(steps.some((st) => "sleep" in st)).toBe(false);
    expect(r.minimal.patroni).toBeUndefined();
    for (const st of steps) if (Array.isArray(st.targets)) expect(st.targets).toHaveLength(1);
    // The minimal schedule is an ordinary scenario, and what was done is recorded.
    expect(parseScenario(r.yaml, "minimal.yaml").steps.length).toBe(steps.length);
    expect(r.steps.map((st) => st.what)).toEqual(onStep);
    expect(r.steps[0].pass).toBe("steps");
    expect(r.steps.map((st) => st.pass)).toEqual(expect.arrayContaining(["steps", "targets", "patroni"]));
    expect(r.runs).toBe(calls);
    expect(r.tried).toBeGreaterThan(r.steps.length);
  });

  test("a candidate that does not reproduce costs k runs; one that does stops at its first failing run", async () => {
    const s = scheduleWith(2);
    const ids = eventIds(s.doc);
    const runs: string[] = [];
    const r = await shrink(s.doc, {
      k: 4,
      runner: async (c) => {
        runs.push(c.what);
        return eventIds(c.doc).length === ids.length; // only the whole set of steps fails
      },
      // Only step removals are tried here.
      valid: (yaml) => (YAML.parse(yaml) as { steps: Step[] }).steps.filter((st) => "fault" in st || "action" in st).length < ids.length,
    });
    expect(r.steps).toEqual([]);
    expect(r.stopped).toBe("local minimum");
    expect(r.runs).toBe(4 * r.tried);
    expect(new Set(runs).size).toBe(r.tried); // each candidate once (k runs), never again
  });

  test("the run budget and the time budget stop shrinking with the smallest schedule so far", async () => {
    const s = scheduleWith(4);
    const byRuns = await shrink(s.doc, { runner: async () => true, maxRuns: 3 });
    expect(byRuns).toMatchObject({ stopped: "run budget", runs: 3 });
    expect(byRuns.steps).toHaveLength(3);
    expect(eventIds(byRuns.minimal).length).toBeLessThan(eventIds(s.doc).length);
    let t = 0;
    const byTime = await shrink(s.doc, { runner: async () => ((t += 60_000), false), maxMs: 5 * 60_000, now: () => t });
    expect(byTime).toMatchObject({ stopped: "time budget", runs: 5, steps: [] });
    expect(byTime.minimal).toEqual(s.doc);
    const ac = new AbortController();
    ac.abort();
    expect((await shrink(s.doc, { runner: async () => true, signal: ac.signal })).stopped).toBe("interrupted");
  });

  test("a fault goes with the heal steps that name it; references to a removed step move to the step before it", () => {
    const doc = YAML.parse(`
name: x
description: d
steps:
  - { id: f1-etcd-stop, fault: etcd-stop, targets: e1 }
  - { id: f2-partition, fault: partition, targets: leader@f1-etcd-stop }
  - { sleep: 5s }
  - { heal: f2-partition }
  - { id: a3-failover, action: failover, candidate: replica@f2-partition }
  - { id: heal-all, heal: all }
  - { id: settled, expect: { leader: exists }, within: 60s }
`) as Record<string, unknown>;
    expect(unitsOf(doc).map((u) => [u.label, u.indices])).toEqual([
      ["f1-etcd-stop", [0]],
      ["f2-partition", [1, 3]],
      ["sleep 5s (step 3)", [2]],
      ["a3-failover", [4]],
    ]);
    const without = withoutSteps(doc, new Set([1, 3]));
    expect(stepsOf(without).map((s) => s.id ?? s.sleep)).toEqual(["f1-etcd-stop", "5s", "a3-failover", "heal-all", "settled"]);
    expect(stepsOf(without)[2].candidate).toBe("replica@f1-etcd-stop");
    expect(stepsOf(withoutSteps(doc, new Set([0])))[0].targets).toBe("leader@start");
    parseScenario(toYaml(without), "without.yaml");
  });
});
