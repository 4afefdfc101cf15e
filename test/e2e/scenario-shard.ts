import { describe, test } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { parseScenario } from "../../src/scenario/load.js";
import { scenarioEstimateMs } from "../../src/gameday/lab-cost.js";
import path from "node:path";
import { loadScenario } from "../../src/scenario/load.js";
import { runScenarioInput } from "../../src/runner/run-scenario.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { newRunId } from "../../src/lab/run-id.js";
import { assertHarnessInvariants } from "./scenario-harness.js";
import { assertScenarioSpecifics } from "./scenario-specifics.js";
import { quietProgress } from "./helpers.js";

// One test per shipped scenario. They check pgchaos (faults applied and healed, events
// recorded, verdicts consistent with the record), never that Patroni won a race: whether the
// scenario passed is the report's business, and is printed for the log.
//
// The scenarios (scenarios/, the upstream corpus in scenarios/upstream/ and explore's findings in
// scenarios/explored/, on the default stack) are split over SHARDS test files (scenarios.test.ts is shard 1, then scenarios-2 ...
// scenarios-6) so that the e2e project's forks (PGCHAOS_E2E_JOBS) run them as separate labs at
// once. Each scenario goes to the shard with the least expected run time so far, longest first
// (its steps' own timings, gameday/lab-cost.ts), so the shards end together instead of one
// running minutes after the others. With PGCHAOS_SCENARIOS set, shard 1 runs every scenario
// selected and the others none, so `vitest run test/e2e/scenarios.test.ts` still runs a
// chosen scenario wherever it falls.
export const SHARDS = 6;
/** explore-planted.test.ts's one test, measured in a quiet CI run (2026-12-06: 217 s). */
const EXPLORE_PLANTED_MS = 217_000;

/** Scenario files relative to scenarios/: the shipped ones, then the upstream corpus, then what explore found. */
function allScenarioFiles(): string[] {
  const dir = path.resolve("scenarios");
  const yaml = (d: string) => readdirSync(path.join(dir, d)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(d, f));
  const optional = (d: string) => {
    try {
      return yaml(d);
    } catch {
      return [];
    }
  };
  return [...yaml("."), ...optional("upstream"), ...optional("explored")];
}

/**
 * Each scenario's expected duration in this suite: as measured by earlier CI runs
 * (scenario-durations.json, written by scripts/scenario-durations.mjs), else its steps' estimate
 * scaled by how the measured ones compare with their estimates. The estimates alone put the two
 * scenarios of scenarios/explored/ (estimated 77 and 87 s, measured 166-178 s) in one shard,
 * which then ran 584 s while the lightest ran about 260 s.
 */
function expectedDurations(files: readonly string[], estimate: (f: string) => number): { f: string; ms: number }[] {
  let measured: Record<string, number> = {};
  try {
    measured = JSON.parse(readFileSync(path.resolve("test/e2e/scenario-durations.json"), "utf8")) as Record<string, number>;
  } catch {
    /* no record: estimates only */
  }
  const estimates = new Map(files.map((f) => [f, estimate(f)]));
  const ratios = files.filter((f) => measured[f] > 0 && estimates.get(f)! > 0).map((f) => measured[f] / estimates.get(f)!).sort((a, b) => a - b);
  const scale = ratios.length ? ratios[Math.floor(ratios.length / 2)] : 1;
  return files.map((f) => ({ f, ms: measured[f] > 0 ? measured[f] : estimates.get(f)! * scale }));
}

export function scenarioFiles(shard: number): string[] {
  const only = process.env.PGCHAOS_SCENARIOS?.split(",");
  const all = allScenarioFiles().filter((f) => !only || only.some((o) => f.includes(o)));
  if (only) return shard === 1 ? all : [];
  const dir = path.resolve("scenarios");
  const expected = expectedDurations(all, (f) => scenarioEstimateMs(parseScenario(readFileSync(path.join(dir, f), "utf8"), f)));
  expected.sort((a, b) => b.ms - a.ms || a.f.localeCompare(b.f));
  // The last shard starts after explore-planted (vitest.config.ts runs that file first, beside the
  // other shards): it carries that file's time as a head start, so that all end together.
  const load: number[] = Array.from({ length: SHARDS }, (_, i) => (i === SHARDS - 1 ? EXPLORE_PLANTED_MS : 0));
  const mine: string[] = [];
  for (const { f, ms } of expected) {
    const least = load.indexOf(Math.min(...load));
    load[least] += ms;
    if (least === shard - 1) mine.push(f);
  }
  return mine.sort();
}

export function describeScenarioShard(shard: number) {
  const dir = path.resolve("scenarios");
  const files = scenarioFiles(shard);
  const reportsDir = path.resolve("reports", `e2e-${newRunId()}`);
  const timeScale = Number(process.env.PGCHAOS_TIME_SCALE ?? "1.5");
  describe(`shipped scenarios (shard ${shard} of ${SHARDS})`, () => {
    if (!files.length) test.skip("no scenario selected in this shard (PGCHAOS_SCENARIOS runs them all in shard 1)", () => {});
    for (const f of files) {
      test(f, async () => {
        const input = toRunInput(await loadScenario(path.join(dir, f)));
        const result = await runScenarioInput(input, { reportsDir, timeScale, progress: quietProgress });
        process.stderr.write(
          `  ${input.scenario.name}: ${result.report.outcome}; ${result.report.steps.map((s) => `${s.id}:${s.outcome}`).join(" ")}; ` +
            `${result.report.verdicts.map((v) => `${v.checker}:${v.ok ? "ok" : "FAIL"}`).join(" ")}; report ${path.relative(process.cwd(), result.dir)}\n`,
        );
        await assertHarnessInvariants(input, result);
        assertScenarioSpecifics(input, result);
      });
    }
  });
}
