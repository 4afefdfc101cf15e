import { describe, expect, it } from "vitest";
import { parseScenario } from "../scenario/load.js";
import { describeStep } from "./describe-step.js";

describe("describeStep", () => {
  it("writes one readable line per step, without bookkeeping keys", () => {
    const s = parseScenario(
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
`,
      "x.yaml",
    );
    expect(s.steps.map(describeStep)).toEqual([
      "fault etcd-quorum-loss mode=stop",
      "expect leader (not leader@outage) within 30s",
      "action switchover candidate=pg2 expect_status=503",
      "heal outage",
      "sleep 1.5s",
    ]);
  });
});
