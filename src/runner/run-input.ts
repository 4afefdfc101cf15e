import type { LoadedScenario } from "../scenario/load.js";
import type { ScenarioRunInput } from "./plan.js";

/** What the runner needs of a loaded scenario file: the scenario without the loader's bookkeeping keys. */
export function toRunInput(loaded: LoadedScenario): ScenarioRunInput {
  const { file, text, steps, ...rest } = loaded;
  return {
    scenario: { ...rest, steps: steps.map(({ index: _index, line: _line, label: _label, ...step }) => step) },
    file,
    text,
    stepLines: steps.map((s) => s.line),
  };
}
