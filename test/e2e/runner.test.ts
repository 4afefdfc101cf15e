import { describe, expect, test } from "vitest";
import path from "node:path";
import { parseScenario } from "../../src/scenario/load.js";
import { runScenarioInput } from "../../src/runner/run-scenario.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { assertHarnessInvariants } from "./scenario-harness.js";
import { quietProgress } from "./helpers.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

// An action the cluster cannot answer is a failed step with what happened, not an error of
// the harness: the run goes on, heals its fault, and the report explains.
const SCENARIO = `
name: action-against-a-stopped-node
description: A failover to a node whose container is stopped cannot be answered.
topology: { etcd: 1, patroni: 2 }
workload: { rate: 5 }
steps:
  - { id: down, fault: container-stop, targets: [pg2] }
  - { id: ask, action: failover, candidate: pg2 }
  - heal: down
  - expect: { streaming: { node: all } }
    within: 60s
`;

describe("runner", () => {
  test("an action against a stopped node fails its step, the run goes on and heals", async () => {
    const input = toRunInput(parseScenario(SCENARIO, "action-against-a-stopped-node.yaml"));
    const reportsDir = tmp("pgchaos-runner-");
    const r = await runScenarioInput(input, { reportsDir, timeScale: 1.5, progress: quietProgress });
    const ask = r.report.steps.find((s) => s.id === "ask")!;
    expect(ask.outcome).toBe("fail");
    expect(r.report.actions.find((a) => a.id === "ask")).toMatchObject({ ok: false });
    expect(r.report.actions.find((a) => a.id === "ask")!.error).toBeTruthy();
    expect(r.report.steps.map((s) => s.id)).toEqual(["down", "ask", "step-3", "step-4"]);
    expect(r.report.outcome).toBe("fail");
    await assertHarnessInvariants(input, r);
  });
});
