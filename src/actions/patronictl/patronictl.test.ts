import { describe, expect, it } from "vitest";
import { parseScenario } from "../../scenario/load.js";
import { ScenarioError } from "../../scenario/errors.js";

const scenario = (step: string) => `name: x
description: y
steps:
  - ${step}
`;

describe("patronictl action", () => {
  it("takes expect_status as an exit code or a list of them", () => {
    const one = parseScenario(scenario("{ action: patronictl, node: pg1, args: [list], expect_status: 1 }"), "x.yaml");
    expect(one.steps[0]).toMatchObject({ action: "patronictl", expect_status: [1] });
    const many = parseScenario(scenario("{ action: patronictl, node: pg1, args: [list], expect_status: [1, 2] }"), "x.yaml");
    expect(many.steps[0]).toMatchObject({ expect_status: [1, 2] });
    const none = parseScenario(scenario("{ action: patronictl, node: pg1, args: [list] }"), "x.yaml");
    expect(none.steps[0]).not.toHaveProperty("expect_status");
  });

  it("rejects an exit code outside 0..255", () => {
    expect(() => parseScenario(scenario("{ action: patronictl, node: pg1, args: [list], expect_status: 503 }"), "x.yaml")).toThrow(ScenarioError);
  });
});
