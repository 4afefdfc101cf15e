import { describe, expect, it } from "vitest";
import { DEFAULT_STACK, STACKS, stackBuildArgs, stackByName } from "./stacks.js";
import { parseScenario } from "../scenario/load.js";
import { keptKeyNotes, stackIssues } from "./scenario-fit.js";
import { formatIssue } from "../scenario/errors.js";

describe("stacks", () => {
  it("knows bookworm (the default), trixie and sid, and their build arguments", () => {
    expect(Object.keys(STACKS)).toEqual(["bookworm", "trixie", "sid"]);
    expect(stackByName(undefined).name).toBe(DEFAULT_STACK);
    expect(stackBuildArgs(stackByName("trixie"))).toEqual({ PG_MAJOR: "17", HAPROXY: "1" });
    expect(stackBuildArgs(stackByName("sid"))).toEqual({ PG_MAJOR: "18", HAPROXY: "0" });
  });

  it("an unknown stack is an error naming the known ones", () => {
    expect(() => stackByName("buster")).toThrow(/^unknown stack 'buster'; known stacks: bookworm \(.*\), trixie \(.*\), sid \(.*\)$/);
    expect(() => stackByName("toString")).toThrow(/unknown stack 'toString'/);
  });

  it("a scenario that needs HAProxy does not fit a stack without it: file:line:column", () => {
    const s = parseScenario("name: x\ndescription: d\ntopology:\n  haproxy: true\nsteps:\n  - sleep: 1s\n", "x.yaml");
    expect(stackIssues(s, stackByName("trixie"))).toEqual([]);
    expect(stackIssues(s, stackByName("sid")).map(formatIssue)).toEqual([
      "x.yaml:4:12: topology.haproxy: stack sid has no HAProxy (Debian sid does not package it); run this scenario on another stack",
    ]);
  });

  it("notes the patroni_config keys pgchaos keeps, where they are", () => {
    const s = parseScenario(
      "name: x\ndescription: d\npatroni_config:\n  scope: prod\n  postgresql:\n    parameters: { work_mem: 64MB }\nsteps:\n  - sleep: 1s\n",
      "x.yaml",
    );
    expect(keptKeyNotes(s).map(formatIssue)).toEqual(["x.yaml:4:10: patroni_config.scope: pgchaos keeps its own value here: the lab's cluster name ties its DCS keys to this run"]);
  });
});
