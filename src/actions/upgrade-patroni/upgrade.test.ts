import { describe, expect, it } from "vitest";
import { parseBeside } from "../../image/upgrade-layer.js";
import { missingUpgradeVersions, upgradeSteps } from "./check.js";
import { planRun } from "../../runner/plan.js";
import { toRunInput } from "../../runner/run-input.js";
import { parseScenario } from "../../scenario/load.js";
import { ScenarioError } from "../../scenario/errors.js";

const yaml = (to: string, node = "\n    node: pg2") => `name: up
description: upgrade test
steps:
  - action: upgrade-patroni${node}
    to: ${JSON.stringify(to)}
  - action: switchover
    candidate: pg2
  - id: rest
    action: upgrade-patroni
    to: "4.0.7"
`;

describe("upgrade-patroni", () => {
  it("reads the versions beside the image's own from the probe's lines", () => {
    expect(parseBeside("4.0.7\n\nnot a version\n4.1.5\n4.0.7\n")).toEqual(["4.0.7", "4.1.5"]);
    expect(parseBeside("")).toEqual([]);
  });

  it("names each step whose version the image lacks, with its line and what is allowed", () => {
    const plan = planRun(toRunInput(parseScenario(yaml("4.1.5"), "up.yaml")), 1);
    expect(upgradeSteps(plan.steps).map((s) => s.label)).toEqual(["step-1", "rest"]);
    const missing = missingUpgradeVersions(plan.steps, { ref: "img", own: "3.0.2", beside: ["4.0.7"] });
    expect(missing).toHaveLength(1);
    expect(missing[0]).toContain("step 1 (line 4, step-1): upgrade-patroni to 4.1.5");
    expect(missing[0]).toContain("allowed: 3.0.2, 4.0.7");
    expect(missingUpgradeVersions(plan.steps, { ref: "img", own: "3.0.2", beside: ["4.0.7", "4.1.5"] })).toEqual([]);
    expect(missingUpgradeVersions(plan.steps, { ref: "img", own: "3.0.2", beside: [] })[1]).toContain("no other version");
  });

  it("rejects a version that is not written as Patroni prints it, at its position", () => {
    let err: unknown;
    try {
      parseScenario(yaml("4.x"), "up.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as Error).message).toMatch(/up\.yaml:6:9/);
    expect((err as Error).message).toContain("invalid Patroni version");
  });
});
