import { describe, expect, it } from "vitest";
import { ScenarioError, parseScenario } from "./load.js";

const head = "name: x\ndescription: y\nsteps:\n";
const errors = (body: string) => {
  try {
    parseScenario(head + body, "x.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  return "";
};

describe("update steps", () => {
  it("change an earlier clock-skew fault live", () => {
    const s = parseScenario(head + "  - id: skew\n    fault: clock-skew\n    targets: [e1]\n    offset: -5s\n  - update: skew\n    offset: +2.5s\n", "x.yaml");
    expect(s.steps[1]).toMatchObject({ kind: "update", update: "skew", offset: 2500 });
  });

  it("reject unknown ids, later steps, faults that cannot change live, and a missing value", () => {
    expect(errors("  - update: nope\n    offset: 1s\n")).toBe("x.yaml:4:13: steps[0].update: update of 'nope', which is not an earlier fault step");
    expect(errors("  - id: cut\n    fault: partition\n    targets: [pg1]\n  - update: cut\n    offset: 1s\n")).toBe(
      "x.yaml:7:13: steps[1].update: 'cut' cannot be changed live; faults that can: clock-skew",
    );
    expect(errors("  - id: skew\n    fault: clock-skew\n    targets: [e1]\n    offset: -5s\n  - update: skew\n")).toMatch(/x\.yaml:8:5: steps\[1\]: update needs a new value: offset/);
  });
});
