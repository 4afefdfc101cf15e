import { describe, expect, it } from "vitest";
import { parseScenario } from "./load.js";
import { replicationPromiseOf } from "./replication.js";

const scenario = (extra: string, steps = "steps:\n  - sleep: 1s\n") => parseScenario(`name: x\ndescription: d\n${extra}${steps}`, "x.yaml");

describe("the replication settings a scenario's cluster starts with", () => {
  it("Patroni's defaults: asynchronous, maximum_lag_on_failover 1048576 bytes", () => {
    expect(replicationPromiseOf(scenario(""))).toEqual({ synchronous_mode: "off", synchronous_mode_strict: false, maximum_lag_on_failover: 1048576, ttl: 10 });
  });

  it("the scenario's patroni: block", () => {
    expect(replicationPromiseOf(scenario("patroni: { ttl: 20, loop_wait: 2, retry_timeout: 4, synchronous_mode: true, maximum_lag_on_failover: 2MB }\n"))).toEqual({
      synchronous_mode: "on",
      synchronous_mode_strict: false,
      maximum_lag_on_failover: 2097152,
      ttl: 20,
    });
  });

  it("synchronous_mode as the patroni: block writes it: true/on, false/off, quorum; strict and the node count", () => {
    expect(replicationPromiseOf(scenario("patroni: { synchronous_mode: on, synchronous_mode_strict: true }\n"))).toMatchObject({ synchronous_mode: "on", synchronous_mode_strict: true });
    expect(replicationPromiseOf(scenario("patroni: { synchronous_mode: quorum }\n"))).toMatchObject({ synchronous_mode: "quorum", synchronous_mode_strict: false });
    expect(replicationPromiseOf(scenario("patroni: { synchronous_mode: off, synchronous_mode_strict: true }\n"))).toMatchObject({ synchronous_mode: "off", synchronous_mode_strict: false });
    expect(scenario("patroni: { synchronous_mode: true, synchronous_node_count: 2 }\n").patroni).toMatchObject({ synchronous_mode: "on", synchronous_mode_strict: false, synchronous_node_count: 2 });
    expect(() => scenario("patroni: { synchronous_mode: remote_apply }\n")).toThrow(/patroni\.synchronous_mode: invalid value 'remote_apply'; allowed: on, off, quorum/);
  });

  it("a node's bootstrap.dcs: the strictest reading where nodes differ (which one bootstraps is a race)", () => {
    const s = scenario(
      "nodes:\n" +
        "  pg1: { patroni_config: { bootstrap: { dcs: { synchronous_mode: quorum, maximum_lag_on_failover: 4096 } } } }\n" +
        "  pg2: { patroni_config: { bootstrap: { dcs: { synchronous_mode_strict: 'on' } } } }\n",
    );
    expect(replicationPromiseOf(s)).toEqual({ synchronous_mode: "quorum", synchronous_mode_strict: true, maximum_lag_on_failover: 4096, ttl: 10 });
  });

  it("unknown when a step changes Patroni's dynamic configuration during the run", () => {
    const edit = scenario("", "steps:\n  - action: patronictl\n    node: pg1\n    args: [edit-config, --force, -s, synchronous_mode=true]\n");
    expect(replicationPromiseOf(edit)).toEqual({ unknown: expect.stringContaining("step 1 changes Patroni's dynamic configuration during the run (patronictl edit-config)") });
    const put = scenario("", "steps:\n  - sleep: 1s\n  - action: dcs\n    put: config\n    value: { synchronous_mode: true }\n");
    expect(replicationPromiseOf(put)).toEqual({ unknown: expect.stringContaining("step 2 changes") });
  });
});
