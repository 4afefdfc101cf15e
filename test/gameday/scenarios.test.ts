// The game day as a vitest suite, exactly as a team would write it in its own repo: one test
// per scenario file, each must pass (or fail only by a known issue: outcome "known"; with
// PGCHAOS_STRICT=1 only "pass" counts, like `pgchaos run --strict`). Not part of `npm test` (pgchaos's own tests never bet on
// Patroni winning a race); run it with `npx vitest run --project gameday`.
import { expect, test } from "vitest";
import { findScenarioFiles, loadScenario, runScenario } from "pgchaos";

for (const file of await findScenarioFiles(["scenarios"])) {
  test(file, async () => {
    const { report } = await runScenario(await loadScenario(file));
    const accepted = process.env.PGCHAOS_STRICT === "1" ? ["pass"] : ["pass", "known"];
    expect(accepted, report.verdicts.map((v) => v.summary).join("\n")).toContain(report.outcome);
  });
}
