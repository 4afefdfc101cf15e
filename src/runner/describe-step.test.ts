import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenario/load.js";
import { describeStep } from "./describe-step.js";
import { toRunInput } from "./run-input.js";

describe("describeStep", () => {
  it("writes one readable line per step, without bookkeeping keys, durations as durations", () => {
    const loaded = parseScenario(
      `name: x
description: y
steps:
  - id: outage
    fault: etcd-quorum-loss
    mode: stop
  - expect: { leader: { not: leader@outage } }
    within: 30s
  - action: switchover
    candidate: pg2
    expect_status: 503
  - heal: outage
  - sleep: 1.5s
  - { id: skew, fault: clock-skew, targets: pg1, offset: -40s, drift: 1500ms, duration: 2m }
  - { update: skew, offset: +20s }
`,
      "x.yaml",
    );
    expect(toRunInput(loaded).scenario.steps.map(describeStep)).toEqual([
      "fault etcd-quorum-loss mode=stop",
      "expect leader (not leader@outage) within 30s",
      "action switchover candidate=pg2 expect_status=503",
      "heal outage",
      "sleep 1.5s",
      "fault clock-skew targets=pg1 offset=-40s processes=all drift=1.5s method=shim duration=2m",
      "update skew offset=20s",
    ]);
  });
});
