import { describe, expect, test } from "vitest";
import { ActiveFaults, HealFailed, effectTime, healFailure } from "./active-faults.js";
import { buildReport } from "../report/model.js";
import { renderMarkdown } from "../report/markdown.js";
import type { Fault, FaultContext } from "../faults/fault.js";
import { History } from "../history/history.js";
import type { FaultEvent, NoteEvent } from "../history/events.js";

/** A fault whose heal of each target fails as often as `failures[target]` says (Infinity: always). */
function flakyFault(targets: string[], failures: Record<string, number>) {
  const calls: string[] = [];
  const left = { ...failures };
  const fault: Fault = {
    type: "flaky",
    targets,
    async inject() {
      calls.push("inject");
    },
    async heal(_ctx, target) {
      calls.push(`heal ${target}`);
      if ((left[target] ?? 0) > 0) {
        left[target]--;
        throw new Error(`${target} busy`);
      }
    },
    manualHeal: (target, container) => `docker unpause ${container}-of-${target}`,
  };
  return { fault, calls };
}

function ledger(retry = { deadlineMs: 200, firstDelayMs: 10, maxDelayMs: 40 }) {
  const history = new History();
  const t0 = Date.now();
  const ctx: FaultContext = { lab: {} as FaultContext["lab"], history, now: () => Date.now() - t0, log: () => {} };
  return { history, faults: new ActiveFaults(ctx, history, retry, (t) => `c-${t}`) };
}

const notes = (h: History) => h.all().filter((e): e is NoteEvent => e.kind === "note").map((n) => n.text);

describe("ActiveFaults heal", () => {
  test("a target whose heal fails once is retried; the other targets are healed meanwhile; both attempts are on the timeline", async () => {
    const { history, faults } = ledger();
    const { fault, calls } = flakyFault(["pg1", "pg2", "pg3"], { pg1: 1 });
    await faults.inject("f", fault, {});
    await faults.heal("f");
    expect(calls).toEqual(["inject", "heal pg1", "heal pg2", "heal pg3", "heal pg1"]);
    expect(notes(history)).toEqual(["fault f (flaky): heal of pg1 failed (attempt 1): pg1 busy", "fault f (flaky): pg1 healed at attempt 2"]);
    const heal = history.all().filter((e) => e.kind === "fault" && e.phase === "heal");
    expect(heal).toMatchObject([{ id: "f", ok: true, targets: ["pg1", "pg2", "pg3"] }]);
    expect(faults.stillInjected()).toEqual([]);
    expect(await faults.healAll()).toEqual([]);
  });

  test("a heal that never succeeds gives up at the deadline and says what is still injected and how to remove it", async () => {
    const { history, faults } = ledger();
    const { fault, calls } = flakyFault(["pg1", "pg2"], { pg2: Infinity });
    await faults.inject("stuck", fault, {});
    const err = await faults.heal("stuck").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealFailed);
    const still = (err as HealFailed).still;
    expect(still).toHaveLength(1);
    expect(still[0]).toMatchObject({ id: "stuck", fault: "flaky", target: "pg2", error: "pg2 busy", manual: "docker unpause c-pg2-of-pg2" });
    expect(still[0].attempts).toBeGreaterThan(2);
    expect((err as Error).message).toMatch(/fault stuck \(flaky\) is still injected on pg2 after \d+ heal attempts \(pg2 busy\); remove it by hand: docker unpause c-pg2-of-pg2, or remove the whole lab with `pgchaos gc`/);
    // pg1 healed once; pg2 tried until the deadline, every attempt recorded.
    expect(calls.filter((c) => c === "heal pg1")).toHaveLength(1);
    const attempts = notes(history).filter((n) => /heal of pg2 failed \(attempt \d+\)/.test(n));
    expect(attempts).toHaveLength(still[0].attempts);
    expect(history.all().filter((e) => e.kind === "fault" && e.phase === "heal")).toMatchObject([{ ok: false }]);
    // Later heals (heal: all, teardown) report it again without retrying for another deadline.
    const n = calls.length;
    expect(await faults.healAll()).toEqual(still);
    expect(calls).toHaveLength(n);
  });
});

describe("a run whose heal never succeeded", () => {
  test("is an error, and its report says what is still injected where and how to remove it", async () => {
    const { history, faults } = ledger({ deadlineMs: 50, firstDelayMs: 10, maxDelayMs: 10 });
    const { fault } = flakyFault(["e1"], { e1: Infinity });
    await faults.inject("freeze", fault, {});
    const failure = healFailure(await faults.healAll());
    expect(failure).toBeDefined();
    const report = buildReport({
      runId: "r",
      scenario: { name: "s" },
      startedAt: "2026-01-01T00:00:00Z",
      endedAt: "2026-01-01T00:01:00Z",
      origin: "2026-01-01T00:00:00Z",
      events: history.all(),
      error: failure?.error,
      findings: failure?.findings,
    });
    expect(report.outcome).toBe("error");
    const md = renderMarkdown(report);
    expect(md).toMatch(/fault freeze \(flaky\) is still injected on e1 after \d+ heal attempts? \(e1 busy\); remove it by hand: docker unpause c-e1-of-e1/);
    expect(healFailure([])).toBeUndefined();
  });
});

describe("fault events are stamped when the fault took effect", () => {
  /** A clock the fake fault moves: each call acts after `actMs`, then verifies for `verifyMs`. */
  function timedFault(report: boolean) {
    const clock = { now: 10_000 };
    const step = async (actMs: number, verifyMs: number) => {
      clock.now += actMs;
      const effectiveAt = clock.now;
      clock.now += verifyMs;
      return report ? { effectiveAt } : undefined;
    };
    const fault: Fault = {
      type: "skew",
      targets: ["pg1", "pg2"],
      inject: () => step(100, 1_400),
      heal: (_ctx, target) => step(target === "pg1" ? 50 : 80, 1_300),
      update: () => step(20, 900),
    };
    const history = new History();
    const ctx: FaultContext = { lab: {} as FaultContext["lab"], history, now: () => clock.now, log: () => {} };
    return { clock, fault, history, faults: new ActiveFaults(ctx, history) };
  }
  const faultEvents = (h: History) => h.all().filter((e): e is FaultEvent => e.kind === "fault");

  test("inject at the moment it acted, heal when its last target's heal acted; the returns are tEnd", async () => {
    const { fault, history, faults } = timedFault(true);
    await faults.inject("s", fault, {});
    await faults.update("s", { offset: 1 });
    await faults.heal("s");
    // inject: 10 000 + 100 acted, returned 1 400 later. update acted at 11 500 + 20.
    // heal: pg1 acted at 11 520 + 900 + 50 = 12 470, returned at 13 770; pg2 acted at 13 850, returned at 15 150.
    expect(faultEvents(history)).toMatchObject([
      { phase: "inject", t: 10_100, tEnd: 11_500, ok: true },
      { phase: "heal", t: 13_850, tEnd: 15_150, ok: true },
    ]);
    expect(history.all().find((e) => e.kind === "note")).toMatchObject({ t: 11_520, text: 'fault s (skew) updated live: {"offset":1}' });
    // What the report's timeline and the checkers read: t.
    const report = buildReport({ runId: "r", scenario: { name: "s" }, startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:01:00Z", origin: "2026-01-01T00:00:00Z", events: history.all() });
    expect(report.faults).toMatchObject([{ id: "s", injectedAt: 10_100, healedAt: 13_850 }]);
  });

  test("a fault that does not say when it acted is stamped when its call returned, without tEnd (as before)", async () => {
    const { fault, history, faults } = timedFault(false);
    await faults.inject("s", fault, {});
    await faults.heal("s");
    const events = faultEvents(history);
    expect(events.map((e) => [e.phase, e.t])).toEqual([["inject", 11_500], ["heal", 14_230]]); // pg1 11 500 + 50 + 1 300, pg2 + 80 + 1 300
    expect(events.every((e) => !("tEnd" in e))).toBe(true);
  });

  test("a reported moment outside the call is kept within it", () => {
    expect(effectTime({ effectiveAt: 5 }, 10, 20)).toBe(10);
    expect(effectTime({ effectiveAt: 25 }, 10, 20)).toBe(20);
    expect(effectTime({ effectiveAt: Number.NaN }, 10, 20)).toBe(20);
    expect(effectTime({}, 10, 20)).toBe(20);
    expect(effectTime(undefined, 10, 20)).toBe(20);
    expect(effectTime({ effectiveAt: 12 }, 10, 20)).toBe(12);
  });
});
