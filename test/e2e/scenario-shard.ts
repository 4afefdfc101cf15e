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

export function scenarioFiles(shard: number): string[] {
  const only = process.env.PGCHAOS_SCENARIOS?.split(",");
  const all = allScenarioFiles().filter((f) => !only || only.some((o) => f.includes(o)));
  if (only) return shard === 1 ? all : [];
  const dir = path.resolve("scenarios");
  const expected = all.map((f) => ({ f, ms: scenarioEstimateMs(parseScenario(readFileSync(path.join(dir, f), "utf8"), f)) }));
  expected.sort((a, b) => b.ms - a.ms || a.f.localeCompare(b.f));
  const load = Array.from({ length: SHARDS }, () => 0);
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
