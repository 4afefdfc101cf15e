import { expect } from "vitest";
import type { ScenarioResult, ScenarioRunInput } from "../../src/runner/run-scenario.js";
import type { ActionEvent, FaultEvent } from "../../src/history/events.js";
import { samplesOf } from "./helpers.js";


/**
 * What the harness promises about one shipped scenario beyond the general invariants
 * (scenario-harness.ts): checked on the same run, so no scenario needs a lab of its own for it.
 */
const specifics: Record<string, (r: ScenarioResult) => void> = {
  // Every upgrade done, its fault applied and healed, every node ends on 4.0.7.
  "rolling-upgrade-patroni-3-to-4": ({ report }) => {
    const faults = report.events.filter((e): e is FaultEvent => e.kind === "fault" && e.id === "stop");
    expect(faults.map((f) => [f.phase, f.ok])).toEqual([
      ["inject", true],
      ["heal", true],
    ]);
    const upgrades = report.events.filter((e): e is ActionEvent => e.kind === "action" && e.action === "upgrade-patroni");
    expect(upgrades.map((a) => a.ok)).toEqual([true, true, true]);
    for (const n of ["pg1", "pg2", "pg3"]) expect(samplesOf(report.events, n).at(-1)?.patroniVersion, n).toBe("4.0.7");
  },
};

export function assertScenarioSpecifics(input: ScenarioRunInput, r: ScenarioResult): void {
  specifics[input.scenario.name]?.(r);
}
