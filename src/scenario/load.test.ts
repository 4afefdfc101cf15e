import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type LoadedScenario, ScenarioError, loadScenario, parseScenario } from "./load.js";
import { FAULT_TYPES, type FaultStepOf } from "./schema.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

const F = "scenarios/x.yaml";

/** The ScenarioError a text produces (fails the test if it parses). */
function errorOf(text: string): ScenarioError {
  try {
    parseScenario(text, F);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error("expected the scenario to be invalid");
}
const lines = (text: string) => errorOf(text).message.split("\n");

/** Scenario text with the given steps (YAML lines, already indented by 2). */
const withSteps = (steps: string, head = "") => `name: x\ndescription: test\n${head}steps:\n${steps}\n`;

describe("valid scenarios", () => {
  it("applies every default to a minimal scenario", () => {
    const s = parseScenario("name: minimal\ndescription: smallest\nsteps:\n  - sleep: 1s\n", F);
    expect(s).toEqual({
      name: "minimal",
      description: "smallest",
      tags: [],
      allow_unsafe_timings: false,
      topology: { etcd: { members: 3, pre_vote: false }, patroni: 3, haproxy: false },
      patroni: {
        ttl: 10,
        loop_wait: 2,
        retry_timeout: 4,
        failsafe_mode: false,
        maximum_lag_on_failover: 1_048_576,
        synchronous_mode: "off",
        synchronous_mode_strict: false,
        synchronous_node_count: 1,
        postgresql_parameters: {},
      },
      nodes: {},
      workload: { rate: 10, via: "direct", timeout: 2000 },
      settle: 20_000,
      invariants: [
        { name: "single-primary", options: {} },
        { name: "no-acked-write-lost", options: {} },
      ],
      steps: [{ kind: "sleep", sleep: 1000, index: 0, line: 4, label: "step-1" }],
      file: F,
      text: "name: minimal\ndescription: smallest\nsteps:\n  - sleep: 1s\n",
    } satisfies LoadedScenario);
  });

  it("does not share default objects between parses", () => {
    const a = parseScenario(withSteps("  - sleep: 1"), F);
    a.tags.push("mutated");
    a.patroni.postgresql_parameters.x = 1;
    const b = parseScenario(withSteps("  - sleep: 1"), F);
    expect(b.tags).toEqual([]);
    expect(b.patroni.postgresql_parameters).toEqual({});
  });

  it("normalises shorthands: targets, NodeRefs, conditions, within/for, invariants", () => {
    const s = parseScenario(
      withSteps(
        [
          "  - id: outage",
          "    fault: etcd-quorum-loss",
          "    duration: 30s",
          "  - expect: { leader: none }",
          "    within: 1.5m",
          "  - expect:",
          "      - leader: { not: leader@outage }",
          "      - role: { node: replica@start, is: replica }",
          "      - lag: { node: all, below: 16MiB }",
          "      - etcd_healthy: all",
          "    for: 20s",
          "  - fault: clock-skew",
          "    targets: pg1",
          "    offset: -40s",
          "  - action: switchover",
          "    candidate: pg2",
          "    expect_status: 503",
          "  - heal: outage",
        ].join("\n"),
        "topology: { etcd: 5 }\ninvariants:\n  - single-primary\n  - write-availability: { max_unavailable: 60s }\n",
      ),
      F,
    );
    expect(s.topology.etcd).toEqual({ members: 5, pre_vote: false });
    expect(s.invariants).toEqual([
      { name: "single-primary", options: {} },
      { name: "write-availability", options: { maxUnavailableMs: 60_000 } },
    ]);
    const [outage, none, several, skew, sw, heal] = s.steps;
    expect(outage).toMatchObject({ kind: "fault", fault: "etcd-quorum-loss", mode: "pause", duration: 30_000, id: "outage", label: "outage", line: 8, index: 0 });
    expect((outage as FaultStepOf<"etcd-quorum-loss">).targets).toBeUndefined();
    expect(none).toEqual({ kind: "expect", expect: [{ type: "leader", exists: false }], within: 90_000, index: 1, line: 11, label: "step-2" });
    expect(several).toMatchObject({
      kind: "expect",
      for: 20_000,
      expect: [
        { type: "leader", not: { type: "leader", text: "leader@outage", step: "outage" } },
        { type: "role", node: { type: "replica", text: "replica@start", step: "start" }, is: "replica" },
        { type: "lag", node: "all", below: 16_777_216 },
        { type: "etcd_healthy", count: "all" },
      ],
    });
    expect(skew).toMatchObject({
      kind: "fault",
      fault: "clock-skew",
      targets: [{ type: "node", text: "pg1", name: "pg1", nodeKind: "patroni" }],
      offset: -40_000,
      processes: "all",
      method: "shim",
    });
    expect(sw).toEqual({
      kind: "action",
      action: "switchover",
      candidate: { type: "node", text: "pg2", name: "pg2", nodeKind: "patroni" },
      expect_status: [503],
      index: 4,
      line: 22,
      label: "step-5",
    });
    expect(heal).toMatchObject({ kind: "heal", heal: "outage" });
  });

  it("accepts unsafe timings when allow_unsafe_timings is set (incident 2 uses retry_timeout 30)", () => {
    const text = withSteps("  - sleep: 1s", "allow_unsafe_timings: true\npatroni: { ttl: 30, loop_wait: 10, retry_timeout: 30 }\n");
    expect(parseScenario(text, F).patroni).toMatchObject({ ttl: 30, loop_wait: 10, retry_timeout: 30 });
  });

  it("keeps rest.equals: null as a present key", () => {
    const s = parseScenario(withSteps("  - expect: { rest: { node: pg1, field: a.b, equals: null } }"), F);
    const step = s.steps[0];
    expect(step.kind === "expect" && step.expect[0]).toEqual({ type: "rest", node: expect.objectContaining({ name: "pg1" }), path: "/patroni", field: "a.b", equals: null });
  });
});

describe("malformed scenarios: exact positions and messages", () => {
  it("a typo in a key: the key's position, the allowed keys and a suggestion (not also 'missing description')", () => {
    const e = errorOf("name: x\ndescripton: test\nsteps:\n  - sleep: 1s\n");
    expect(e.message.split("\n")).toEqual([
      `${F}:2:1: descripton: unknown key 'descripton'; allowed: name, description, incident, tags, allow_unsafe_timings, topology, patroni, requires, patroni_config, nodes, workload, settle, invariants, steps, known_issues; did you mean 'description'?`,
    ]);
    expect(e.issues[0]).toEqual({
      file: F,
      line: 2,
      column: 1,
      path: ["descripton"],
      message: "unknown key 'descripton'",
      allowed: ["name", "description", "incident", "tags", "allow_unsafe_timings", "topology", "patroni", "requires", "patroni_config", "nodes", "workload", "settle", "invariants", "steps", "known_issues"],
      suggestion: "description",
    });
  });

  it("an unknown fault type", () => {
    const text = withSteps("  - sleep: 1s\n  - sleep: 1s\n  - id: pause-it\n    fault: etcd-pase\n    targets: e1");
    expect(lines(text)).toEqual([
      `${F}:7:12: steps[2].fault: unknown fault type 'etcd-pase'; allowed: ${FAULT_TYPES.join(", ")}; did you mean 'etcd-pause'?`,
    ]);
  });

  it("a parameter that belongs to another fault type", () => {
    expect(lines(withSteps("  - fault: etcd-stop\n    targets: e1\n    mode: pause"))).toEqual([
      `${F}:6:5: steps[0].mode: unknown key 'mode' for fault 'etcd-stop'; allowed: fault, targets, duration, id, note, when, on_error`,
    ]);
  });

  it("a missing required parameter points at the step", () => {
    expect(lines(withSteps("  - sleep: 1s\n  - action: failover\n    id: fo"))).toEqual([`${F}:5:5: steps[1].candidate: missing required key 'candidate'`]);
  });

  it("a wrong type", () => {
    expect(lines(withSteps("  - sleep: 1s", "patroni:\n  ttl: 10s\n  failsafe_mode: yes\n"))).toEqual([
      `${F}:4:8: patroni.ttl: expected a whole number of seconds, got string '10s' (Patroni's ttl is an integer, without unit)`,
      `${F}:5:18: patroni.failsafe_mode: expected true or false, got string 'yes'`,
    ]);
  });

  it("a bad duration, a negative one, and a bad size", () => {
    expect(lines(withSteps("  - sleep: 5 sec\n  - fault: etcd-stop\n    targets: e1\n    duration: -5s\n  - expect: { lag: { node: all, below: 1mb } }"))).toEqual([
      `${F}:4:12: steps[0].sleep: invalid duration '5 sec': a duration is a number with a unit ms, s, m or h (500ms, 2s, 1.5s, 2m, 1h), or a bare number of seconds`,
      `${F}:7:15: steps[1].duration: invalid duration '-5s': a signed duration is not allowed here; a duration is a number with a unit ms, s, m or h (500ms, 2s, 1.5s, 2m, 1h), or a bare number of seconds`,
      `${F}:8:40: steps[2].expect.lag.below: invalid size '1mb': a size is an integer number of bytes or a number with a unit B, kB, MB, GB, TB (1 MB = 1048576 bytes, as in PostgreSQL) or KiB, MiB, GiB, TiB`,
    ]);
  });

  it("bad NodeRefs: malformed, wrong kind, unknown node, unknown or later step", () => {
    expect(lines(withSteps("  - fault: partition\n    targets: pg-1\n  - fault: etcd-pause\n    targets: [e1, pg2]"))).toEqual([
      `${F}:5:14: steps[0].targets: invalid node reference 'pg-1': use a node name (pg1.., e1.., haproxy) or leader@<step id> / replica@<step id> / sync@<step id>`,
      `${F}:7:19: steps[1].targets[1]: 'pg2' is a Patroni node (pg1, pg2, ...), but an etcd member (e1, e2, ...) is required here`,
    ]);
    const text = withSteps(
      [
        "  - fault: container-pause",
        "    targets: [pg1, pg4]",
        "  - expect: { role: { node: leader@later, is: primary } }",
        "  - id: later",
        "    expect: { leader: { is: replica@nope } }",
        "  - fault: etcd-stop",
        "    targets: e1",
        "    note: leader@later",
      ].join("\n"),
    );
    expect(lines(text)).toEqual([
      `${F}:5:20: steps[0].targets[1]: unknown node 'pg4': the topology has pg1..pg3 (Patroni), e1..e3 (etcd); allowed: pg1, pg2, pg3, e1, e2, e3`,
      `${F}:6:29: steps[1].expect.role.node: in 'leader@later': step 'later' is a later step; only start or an earlier step can be referred to; allowed: start`,
      `${F}:8:29: steps[2].expect.leader.is: in 'replica@nope': unknown step id 'nope'; allowed: start`,
    ]);
  });

  it("heal of an unknown id, of a later step, and of a step that is not a fault", () => {
    const text = withSteps(["  - { id: outage, fault: etcd-quorum-loss }", "  - heal: outgae", "  - heal: nap", "  - { id: nap, sleep: 1s }", "  - heal: nap"].join("\n"));
    expect(lines(text)).toEqual([
      `${F}:5:11: steps[1].heal: heal of unknown step id 'outgae'; allowed: outage, all; did you mean 'outage'?`,
      `${F}:6:11: steps[2].heal: heal of 'nap', which is a later step; heal an earlier fault step; allowed: outage, all`,
      `${F}:8:11: steps[4].heal: 'nap' is a sleep step, not a fault step; allowed: outage, all`,
    ]);
  });

  it("a YAML syntax error has a position too", () => {
    expect(lines("name: x\ndescription: a: b\nsteps:\n  - sleep: 1s\n")).toEqual([
      `${F}:2:14: YAML syntax error: Nested mappings are not allowed in compact mappings`,
    ]);
    expect(lines("name: x\ndescription: y\nsteps:\n  - sleep: 1s\n    note: [a, b\n  - sleep: 2s\n")).toEqual([
      // Where the bracket opens, not where the parser gave up.
      `${F}:5:11: YAML syntax error: '[' opened here is never closed with ']'`,
    ]);
    expect(lines("name: x\nname: y\n")).toEqual([`${F}:2:1: duplicate key 'name': a key may appear only once in a mapping`]);
  });

  it("a mis-indented key is reported where it is, with the column it belongs in", () => {
    // The composer reports these on the line before (1:7, the value 'x') or at column 1.
    expect(lines("name: x\n description: d\nsteps:\n  - sleep: 1s\n")).toEqual([
      `${F}:2:2: YAML syntax error: 'description' is indented more than 'name' on line 1, so YAML reads it as more of the value of 'name', not as a key; keys of one mapping start in the same column: put 'description' in column 1, in line with 'name'`,
    ]);
    expect(lines("name:\n  x\n description: d\n")).toEqual([
      `${F}:3:2: YAML syntax error: 'description' is indented more than 'name' on line 1, so YAML reads it as more of the value of 'name', not as a key; keys of one mapping start in the same column: put 'description' in column 1, in line with 'name'`,
    ]);
    expect(lines('name: "x"\n description: d\n')).toEqual([
      `${F}:2:2: YAML syntax error: 'description' starts in column 2, but the keys of its mapping start in column 1 ('name' on line 1); keys of one mapping start in the same column`,
    ]);
    expect(lines(withSteps("  - sleep: 1s\n     note: y"))).toEqual([
      `${F}:5:6: YAML syntax error: 'note' is indented more than 'sleep' on line 4, so YAML reads it as more of the value of 'sleep', not as a key; keys of one mapping start in the same column: put 'note' in column 5, in line with 'sleep'`,
    ]);
    expect(lines(withSteps("  - sleep: 1s\n   note: y"))).toEqual([
      `${F}:5:4: YAML syntax error: 'note' starts in column 4, inside the list whose '-' is in column 3, but without '- ': a new item starts with '- ' in column 3; a key of the item above starts in column 5, in line with 'sleep' on line 4`,
    ]);
    expect(lines(withSteps("  - sleep: 1s\n    note: y\n  id: z"))).toEqual([
      `${F}:6:3: YAML syntax error: 'id' starts in column 3, but the keys of its mapping start in column 1 ('name' on line 1); keys of one mapping start in the same column`,
    ]);
  });

  it("duplicate step ids and malformed or reserved ids", () => {
    const text = withSteps(["  - { id: a, sleep: 1s }", "  - { id: b, sleep: 1s }", "  - id: a", "    sleep: 1s"].join("\n"));
    expect(lines(text)).toEqual([`${F}:6:9: steps[2].id: duplicate step id 'a' (first used by steps[0] at line 4)`]);
    expect(lines(withSteps("  - { id: Outage, sleep: 1s }\n  - { id: start, sleep: 1s }\n  - { id: step-3, sleep: 1s }"))).toEqual([
      `${F}:4:11: steps[0].id: invalid step id 'Outage': use lowercase letters, digits, '-' and '_', starting with a letter or digit`,
      `${F}:5:11: steps[1].id: step id 'start' is reserved (start, all and step-<n> have a meaning of their own)`,
      `${F}:6:11: steps[2].id: step id 'step-3' is reserved (start, all and step-<n> have a meaning of their own)`,
    ]);
  });

  it("Patroni's timing rule, explained, at the offending setting", () => {
    expect(lines(withSteps("  - sleep: 1s", "patroni:\n  loop_wait: 10\n  retry_timeout: 30\n"))).toEqual([
      `${F}:5:18: patroni.retry_timeout: Patroni requires loop_wait + 2*retry_timeout <= ttl, but 10 + 2*30 = 70 > 10: the leader could lose its lock while still retrying the DCS. Raise ttl or lower loop_wait/retry_timeout, or set allow_unsafe_timings: true if the scenario uses these timings on purpose`,
    ]);
  });

  it("reports every problem of the file, sorted by position", () => {
    const e = errorOf("name: Bad Name\ntopology: { etcd: 9 }\nsteps:\n  - sleep: forever\n  - fault: nope\n");
    expect(e.issues.map((i) => `${i.line}:${i.column} ${i.path.join(".")}`)).toEqual([
      "1:1 description",
      "1:7 name",
      "2:19 topology.etcd",
      "4:12 steps.0.sleep",
      "5:12 steps.1.fault",
    ]);
  });

  it("a step with two kinds, a condition with two keys, both within and for", () => {
    expect(lines(withSteps("  - heal: all\n    sleep: 1s\n  - expect: { leader: none, writable: { node: pg1, is: false } }\n    within: 1s\n    for: 1s"))).toEqual([
      `${F}:5:5: steps[0].sleep: a step has exactly one of the keys fault, action, expect, heal, update, sleep; found 'heal' and 'sleep' (split it into several steps)`,
      `${F}:6:29: steps[1].expect.writable: a condition has exactly one of the keys leader, role, writable, no_leader_change, member, member_missing_while_writable, streaming, lag, dcs_lag, dcs_endpoint, haproxy, rest, log, sql, etcd_healthy, sync_standby; found 'leader' and 'writable' (write several conditions as a list)`,
    ]);
    expect(lines(withSteps("  - expect: { leader: none }\n    within: 1s\n    for: 1s"))).toEqual([
      `${F}:6:10: steps[0].for: use either within: (becomes true in time) or for: (holds the whole time), not both`,
    ]);
  });

  it("unknown conditions and bad condition values", () => {
    expect(lines(withSteps("  - expect:\n      - leadr: none\n      - role: { node: pg1, is: primry }\n      - log: { node: e1, matches: 'a(' }"))).toEqual([
      `${F}:5:9: steps[0].expect[0].leadr: unknown condition 'leadr'; allowed: leader, role, writable, no_leader_change, member, member_missing_while_writable, streaming, lag, dcs_lag, dcs_endpoint, haproxy, rest, log, sql, etcd_healthy, sync_standby; did you mean 'leader'?`,
      `${F}:6:32: steps[0].expect[1].role.is: invalid value 'primry'; allowed: primary, replica, demoted, down, unknown; did you mean 'primary'?`,
      `${F}:7:35: steps[0].expect[2].log.matches: invalid regular expression 'a(': /a(/: Unterminated group`,
    ]);
  });

  it("topology-dependent checks: nodes overrides, etcd_hosts, haproxy", () => {
    const head = "topology: { patroni: 2 }\nnodes:\n  e1: {}\n  pg2: { etcd_hosts: [e3, e4] }\nworkload: { via: haproxy }\n";
    expect(lines(withSteps("  - sleep: 1s", head))).toEqual([
      `${F}:5:3: nodes.e1: 'e1' is an etcd member; nodes: overrides are for Patroni nodes; allowed: pg1, pg2`,
      `${F}:6:27: nodes.pg2.etcd_hosts[1]: unknown etcd member 'e4' (the topology has e1..e3); allowed: e1, e2, e3`,
      `${F}:7:18: workload.via: via: haproxy needs an haproxy node: set topology.haproxy: true`,
    ]);
  });

  it("not a mapping, empty file", () => {
    expect(lines("- a\n- b\n")).toEqual([`${F}:1:1: a scenario is a mapping (name:, description:, steps: ...), got a list`]);
    expect(lines("# nothing\n")).toEqual([`${F}:1:1: the file is empty; a scenario needs at least name, description and steps`]);
  });

  it("the message is ready to print: no stack trace, one line per problem", () => {
    const e = errorOf(withSteps("  - sleep: x\n  - sleep: y"));
    expect(e.message).toBe(
      [
        `${F}:4:12: steps[0].sleep: invalid duration 'x': a duration is a number with a unit ms, s, m or h (500ms, 2s, 1.5s, 2m, 1h), or a bare number of seconds`,
        `${F}:5:12: steps[1].sleep: invalid duration 'y': a duration is a number with a unit ms, s, m or h (500ms, 2s, 1.5s, 2m, 1h), or a bare number of seconds`,
      ].join("\n"),
    );
    expect(e.message).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(e.name).toBe("ScenarioError");
  });
});

describe("loadScenario", () => {
  it("reads a file and keeps its source", async () => {
    const dir = tmp("pgchaos-load-");
    const file = path.join(dir, "s.yaml");
    const text = "name: from-file\ndescription: d\nsteps:\n  - sleep: 1s\n";
    await writeFile(file, text);
    const s = await loadScenario(file);
    expect(s).toMatchObject({ name: "from-file", file, text });
  });

  it("a missing file is a ScenarioError, not an exception with a stack", async () => {
    await expect(loadScenario("no/such/file.yaml")).rejects.toThrow(new ScenarioError([{ file: "no/such/file.yaml", line: 0, column: 0, path: [], message: "cannot read: no such file" }]));
    await expect(loadScenario("no/such/file.yaml")).rejects.toThrow("no/such/file.yaml: cannot read: no such file");
  });
});
