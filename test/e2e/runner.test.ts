import { describe, expect, test } from "vitest";
import path from "node:path";
import { parseScenario } from "../../src/scenario/load.js";
import { runScenarioInput } from "../../src/runner/run-scenario.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { assertHarnessInvariants } from "./scenario-harness.js";
import { quietProgress } from "./helpers.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

/** Runs a scenario given as text in a lab of its own (time scale 1.5, as the scenario shards). */
async function runYaml(yaml: string, file: string) {
  const input = toRunInput(parseScenario(yaml, file));
  const r = await runScenarioInput(input, { reportsDir: tmp("pgchaos-runner-"), timeScale: 1.5, progress: quietProgress });
  return { input, r };
}

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

// A fault that cannot be applied (an exec into a container another fault paused) is an error of
// its step: with on_error: continue the step is skipped with that error and the next steps run.
const ON_ERROR = `
name: fault-on-a-paused-container
description: A partition's rules cannot be set in a paused container; with on_error continue the steps go on.
topology: { etcd: 1, patroni: 2 }
workload: { rate: 5 }
steps:
  - { id: freeze, fault: container-pause, targets: [pg2] }
  - { id: cut, fault: partition, targets: [pg2], on_error: continue }
  - sleep: 3s
  - heal: freeze
  - expect: { streaming: { node: all } }
    within: 60s
  - sleep: 10s
`;

// An etcd member whose process is frozen accepts connections and never answers: the dcs action
// must give up on it within its deadline and take the next member, not wait for ever.
const FROZEN_MEMBER = `
name: dcs-action-past-a-frozen-member
description: The leader key deleted through etcd while the first member is frozen.
topology: { etcd: 3, patroni: 2 }
workload: { rate: 5 }
steps:
  - sleep: 2s
  - { id: freeze, fault: etcd-pause, targets: [e1] }
  - { id: delete, action: dcs, delete: leader }
  - heal: freeze
  - expect: [{ leader: exists }, { streaming: { node: all } }]
    within: 60s
`;

describe("runner", () => {
  test("a dcs action skips a frozen etcd member within its call deadline and takes the next one", async () => {
    const { input, r } = await runYaml(FROZEN_MEMBER, "dcs-action-past-a-frozen-member.yaml");
    const step = r.report.steps.find((s) => s.id === "delete")!;
    const action = r.report.actions.find((a) => a.id === "delete")!;
    expect(action.ok, action.error).toBe(true);
    expect(action.body).toMatch(/via e[23]/);
    // e1's deadline (5 s) and the next member's answer, not the test's timeout.
    expect(step.tEnd! - step.tStart).toBeLessThan(20_000);
    await assertHarnessInvariants(input, r);
  });


  test("on_error: continue: a fault that cannot be applied is skipped with its error, the next steps run, everything is healed", async () => {
    const { input, r } = await runYaml(ON_ERROR, "fault-on-a-paused-container.yaml");
    const cut = r.report.steps.find((s) => s.id === "cut")!;
    expect(cut.outcome).toBe("skipped");
    expect(cut.detail).toMatch(/paused/i);
    expect(r.report.steps.map((s) => [s.id, s.outcome === "skipped" ? "skipped" : "ran"])).toEqual([
      ["freeze", "ran"],
      ["cut", "skipped"],
      ["step-3", "ran"],
      ["step-4", "ran"],
      ["step-5", "ran"],
      ["step-6", "ran"],
    ]);
    expect(r.report.steps.find((s) => s.id === "step-4")!.outcome).toBe("pass");
    expect(r.report.outcome).not.toBe("error");
    expect(r.report.error).toBeUndefined();
    // The skipped fault's failed inject is in the record; the heal of everything found nothing left.
    expect(r.report.events.some((e) => e.kind === "fault" && e.id === "cut" && e.phase === "inject" && e.ok === false)).toBe(true);
    expect(r.report.verdicts.find((v) => v.checker === "faults-healed")?.ok).toBe(true);
    await assertHarnessInvariants(input, r);
  });


  test("an action against a stopped node fails its step, the run goes on and heals", async () => {
    const { input, r } = await runYaml(SCENARIO, "action-against-a-stopped-node.yaml");
    const ask = r.report.steps.find((s) => s.id === "ask")!;
    expect(ask.outcome).toBe("fail");
    expect(r.report.actions.find((a) => a.id === "ask")).toMatchObject({ ok: false });
    expect(r.report.actions.find((a) => a.id === "ask")!.error).toBeTruthy();
    expect(r.report.steps.map((s) => s.id)).toEqual(["down", "ask", "step-3", "step-4"]);
    expect(r.report.outcome).toBe("fail");
    await assertHarnessInvariants(input, r);
  });
});
