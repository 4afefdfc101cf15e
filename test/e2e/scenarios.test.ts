import { describe, test } from "vitest";
import { readdirSync } from "node:fs";
import path from "node:path";
import { loadScenario } from "../../src/scenario/load.js";
import { runScenarioInput } from "../../src/runner/run-scenario.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { newRunId } from "../../src/lab/run-id.js";
import { assertHarnessInvariants } from "./scenario-harness.js";
import { quietProgress } from "./helpers.js";

// One test per shipped scenario. They check pgchaos (faults applied and healed, events
// recorded, verdicts consistent with the record), never that Patroni won a race: whether the
// scenario passed is the report's business, and is printed for the log.
const dir = path.resolve("scenarios");
const only = process.env.PGCHAOS_SCENARIOS?.split(",");
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .filter((f) => !only || only.some((o) => f.includes(o)))
  .sort();
const reportsDir = path.resolve("reports", `e2e-${newRunId()}`);
const timeScale = Number(process.env.PGCHAOS_TIME_SCALE ?? "1.5");

describe("shipped scenarios", () => {
  for (const f of files) {
    test(f, async () => {
      const input = toRunInput(await loadScenario(path.join(dir, f)));
      const result = await runScenarioInput(input, { reportsDir, timeScale, progress: quietProgress });
      process.stderr.write(
        `  ${input.scenario.name}: ${result.report.outcome}; ${result.report.steps.map((s) => `${s.id}:${s.outcome}`).join(" ")}; ` +
          `${result.report.verdicts.map((v) => `${v.checker}:${v.ok ? "ok" : "FAIL"}`).join(" ")}; report ${path.relative(process.cwd(), result.dir)}\n`,
      );
      await assertHarnessInvariants(input, result);
    });
  }
});
