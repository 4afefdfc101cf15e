import { describe, expect, it } from "vitest";
import { parseScenario, ScenarioError } from "../scenario/load.js";
import { planRun, resolveWhen } from "../runner/plan.js";
import { toRunInput } from "../runner/run-input.js";
import { decideWhen, whenFindings } from "./when.js";

const F = "scenarios/x.yaml";
const scenario = (steps: string) => `name: x\ndescription: test\nsteps:\n${steps}\n`;

function problems(text: string): string[] {
  try {
    parseScenario(text, F);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split("\n");
    throw e;
  }
  return [];
}

const BOOKWORM = { patroni: "3.0.2", postgresql: "15.14 (Debian 15.14-0+deb12u1)", etcd: "3.4.23" };
const TRIXIE = { patroni: "4.0.7", postgresql: "17.12 (Debian 17.12-0+deb13u1)", etcd: "3.5.16" };

const TWO_BRANCHES = scenario(
  [
    "  - id: elected",
    "    expect: { role: { node: pg1, is: primary } }",
    "    within: 18s",
    "    when: { patroni: '<4' }",
    "  - id: elected",
    "    expect: { role: { node: pg1, is: primary } }",
    "    within: 28s",
    "    when: { patroni: '>=4', because: 'Patroni 4 raises ttl below 20 to 20' }",
    "  - sleep: 1s",
  ].join("\n"),
);

describe("when: on steps", () => {
  it("a range that does not parse and an unknown component are positioned errors", () => {
    const out = problems(scenario("  - sleep: 1s\n    when: { patroni: '>=four' }\n  - sleep: 1s\n    when: { postgresql: '>=16' }\n  - sleep: 1s\n    when: { because: x }"));
    expect(out[0]).toBe(`${F}:5:22: steps[0].when.patroni: '>=four' is not a version range (examples: ">=4.0", "3.0.x", ">=3.0 <4")`);
    expect(out).toContain(`${F}:7:13: steps[1].when.postgresql: unknown key 'postgresql'; allowed: patroni, postgres, etcd, because; did you mean 'postgres'?`);
    expect(out).toContain(`${F}:9:11: steps[2].when: when: names at least one version range (patroni, postgres or etcd)`);
  });

  it("two steps may share an id only when their ranges never overlap", () => {
    expect(problems(TWO_BRANCHES)).toEqual([]);
    const overlapping = TWO_BRANCHES.replace("'<4'", "'<4.1'");
    expect(problems(overlapping)).toEqual([
      `${F}:8:9: steps[1].id: duplicate step id 'elected' (first used by steps[0] at line 4); steps may share an id only when their when: ranges for one component never overlap`,
    ]);
  });

  it("the plan runs the branch that applies to the lab's versions and says which and why", () => {
    const plan = planRun(toRunInput(parseScenario(TWO_BRANCHES, F)), 1);
    expect(plan.steps[1].text).toBe("expect role (node pg1, is primary) within 28s [when patroni >=4]");
    const onBookworm = resolveWhen(plan, BOOKWORM);
    expect(onBookworm.steps.map((s) => s.index)).toEqual([0, 2]);
    expect(onBookworm.notes).toEqual([
      "when: step 1 (elected, line 4) applies: patroni 3.0.2 is in <4",
      "when: step 2 (elected, line 8) not run: patroni 3.0.2 is outside >=4 (Patroni 4 raises ttl below 20 to 20)",
    ]);
    const onTrixie = resolveWhen(plan, TRIXIE);
    expect(onTrixie.steps.map((s) => s.index)).toEqual([1, 2]);
    expect(onTrixie.notes[1]).toBe("when: step 2 (elected, line 8) applies: patroni 4.0.7 is in >=4 (Patroni 4 raises ttl below 20 to 20)");
    expect(whenFindings([{ kind: "note", text: onTrixie.notes[0] }, { kind: "note", text: "cluster ready" }, { kind: "log", text: "when: x" }])).toEqual([onTrixie.notes[0]]);
  });

  it("reads PostgreSQL's version as the image reports it; an unknown version never applies", () => {
    expect(decideWhen({ postgres: ">=17" }, TRIXIE)).toEqual({ applies: true, text: "applies: postgres 17.12 (Debian 17.12-0+deb13u1) is in >=17" });
    expect(decideWhen({ etcd: "3.5.x" }, { patroni: "4.0.7" })).toEqual({ applies: false, text: "not run: etcd version unknown (needs 3.5.x)" });
  });
});
