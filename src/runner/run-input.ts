import type { LoadedScenario } from "../scenario/load.js";
import type { ScenarioRunInput } from "./run-scenario.js";

/** What the runner needs of a loaded scenario file. */
export function toRunInput(loaded: LoadedScenario): ScenarioRunInput {
  return { scenario: loaded as unknown as ScenarioRunInput["scenario"], file: loaded.file, text: loaded.text, stepLines: loaded.steps.map((s) => s.line) };
}
