// The game day as a vitest suite, exactly as a team would write it in its own repo: one test
// per scenario file, each must pass. Not part of `npm test` (pgchaos's own tests never bet on
// Patroni winning a race); run it with `npx vitest run --project gameday`.
import { expect, test } from "vitest";
import { findScenarioFiles, loadScenario, runScenario } from "pgchaos";

for (const file of await findScenarioFiles(["scenarios"])) {
  test(file, async () => {
    const { report } = await runScenario(await loadScenario(file));
    expect(report.outcome, report.verdicts.map((v) => v.summary).join("\n")).toBe("pass");
  });
}
