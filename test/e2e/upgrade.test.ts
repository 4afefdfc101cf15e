/**
 * Rolling upgrade (upgrade-patroni): the bookworm stack's upgrade layer carries Patroni 3.0.2
 * (its own) and trixie's 4.0.7 beside it; the action changes the Patroni a node runs (its REST
 * API's patroni.version, as the recorder sampled it), the action's event records both versions;
 * a version the image lacks is an error before any lab container starts. The shipped
 * rolling-upgrade scenario runs once, with the shipped scenarios (scenario-shard.ts checks its
 * upgrades and its fault there).
 * The upgrade layer is built on first use (minutes: the trixie base and an apt download).
 */
import { describe, expect, test } from "vitest";
import path from "node:path";
import { docker, leftovers, quietProgress, samplesOf } from "./helpers.js";
import { parseScenario } from "../../src/scenario/load.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { runScenarioInput as runScenario } from "../../src/runner/run-scenario.js";
import type { ActionEvent, NodeSample } from "../../src/history/events.js";
import { PATRONI_BESIDE_LABEL } from "../../src/image/upgrade-layer.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

const small = (to: string) =>
  toRunInput(
    parseScenario(
      `name: upgrade-smoke
description: one replica upgraded to another Patroni, then a switchover to it
topology: { etcd: 1, patroni: 2 }
patroni: { ttl: 20, loop_wait: 2, retry_timeout: 4 }
steps:
  - id: before
    expect: { streaming: { node: all } }
    within: 60s
  - id: up
    action: upgrade-patroni
    node: replica@start
    to: "${to}"
  - expect: { streaming: { node: all } }
    within: 60s
  - action: switchover
    candidate: replica@start
  - expect: { leader: { is: replica@start } }
    within: 30s
`,
      "upgrade-smoke.yaml",
    ),
  );


describe("upgrade-patroni", () => {
  test("a replica moves from 3.0.2 to 4.0.7: REST answers the new version, the event records both, a switchover to it works", async () => {
    const reportsDir = tmp("pgchaos-upgrade-");
    const { report } = await runScenario(small("4.0.7"), { reportsDir, timeScale: 1, progress: quietProgress });
    expect(report.error).toBeUndefined();
    // The image: bookworm's own Patroni and trixie's beside it, read from the image.
    expect(report.versions.patroni).toBe("3.0.2");
    expect(report.versions.image).toMatch(/^pgchaos-lab:bookworm-upgrade-[0-9a-f]{12}$/);
    const labels = (await docker.getImage(report.versions.image!).inspect()).Config.Labels;
    expect(labels[PATRONI_BESIDE_LABEL]).toBe("4.0.7");
    const action = report.events.find((e): e is ActionEvent => e.kind === "action" && e.id === "up");
    expect(action?.ok).toBe(true);
    const node = /^(pg\d+): Patroni 3\.0\.2 -> 4\.0\.7/.exec(action?.body ?? "")?.[1];
    expect(node, action?.body).toBeDefined();
    // The recorder saw the node answer as 3.0.2 before the action and as 4.0.7 after it.
    const samples = samplesOf(report.events, node!);
    expect(samples.filter((s) => s.t < action!.t).every((s) => s.patroniVersion === "3.0.2")).toBe(true);
    expect(samples.filter((s) => s.t > action!.tEnd).map((s) => s.patroniVersion)).toContain("4.0.7");
    expect(samples.at(-1)?.patroniVersion).toBe("4.0.7");
    // The other node still runs 3.0.2: a mixed cluster, and the switchover to the 4.0.7 node passed.
    const other = report.events.find((e): e is NodeSample => e.kind === "node" && e.node !== node && e.restUp);
    expect(other?.patroniVersion).toBe("3.0.2");
    // Whether the cluster then met every expectation is the report's business (printed), not this test's.
    process.stderr.write(`  upgrade smoke: ${report.outcome}; ${report.steps.map((s) => `${s.id}:${s.outcome}`).join(" ")}\n`);
    expect(report.verdicts.find((v) => v.checker === "lab-teardown")?.ok).toBe(true);
    expect(await leftovers(report.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("a version the image lacks is an error naming the step and the versions it has, before any lab container starts", async () => {
    const reportsDir = tmp("pgchaos-upgrade-");
    const { report } = await runScenario(small("4.1.5"), { reportsDir, timeScale: 1, progress: quietProgress });
    expect(report.error).toContain("step 2 (line 9, up): upgrade-patroni to 4.1.5");
    expect(report.error).toContain("allowed: 3.0.2, 4.0.7");
    expect(report.events.some((e) => e.kind === "node")).toBe(false);
    expect(report.topology?.nodes ?? []).toHaveLength(0);
  });
});
