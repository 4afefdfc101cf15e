/**
 * Scenario files on disk: the fixtures under test/fixtures/scenarios/ (valid ones must load;
 * each invalid one must produce exactly the errors in its `.errors` file) and the real
 * scenarios under scenarios/ (all must be valid).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findScenarioFiles } from "../cli/commands/validate.js";
import { ScenarioError, loadScenario, parseScenario } from "./load.js";
import { ACTION_TYPES, CONDITION_TYPES, FAULT_TYPES } from "./schema.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const FIXTURES = "test/fixtures/scenarios";
const files = (dir: string, ext: string) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith(ext))
    .sort();

describe("valid fixtures", () => {
  it.each(files(`${FIXTURES}/valid`, ".yaml"))("%s loads", async (name) => {
    const s = await loadScenario(path.join(ROOT, FIXTURES, "valid", name));
    expect(s.steps.length).toBeGreaterThan(0);
  });

  it("every-feature.yaml uses every fault type, action and condition", () => {
    const rel = `${FIXTURES}/valid/every-feature.yaml`;
    const s = parseScenario(readFileSync(path.join(ROOT, rel), "utf8"), rel);
    const faults = new Set(s.steps.flatMap((st) => (st.kind === "fault" ? [st.fault] : [])));
    const actions = new Set(s.steps.flatMap((st) => (st.kind === "action" ? [st.action] : [])));
    const conditions = new Set(s.steps.flatMap((st) => (st.kind === "expect" ? st.expect.map((c) => c.type) : [])));
    expect([...faults].sort()).toEqual([...FAULT_TYPES].sort());
    expect([...actions].sort()).toEqual([...ACTION_TYPES].sort());
    expect([...conditions].sort()).toEqual([...CONDITION_TYPES].sort());
    expect(s.topology).toEqual({ etcd: { members: 5, pre_vote: true }, patroni: 3, haproxy: true });
    expect(s.patroni.maximum_lag_on_failover).toBe(16 * 1024 * 1024);
    expect(s.nodes.pg2).toEqual({ patroni_config: { restapi: { connect_address: "pg3:8008" } }, etcd_hosts: ["e3", "e1", "e2"] });
    expect(s.nodes.pg3).toEqual({ patroni_config: {} });
    expect(s.workload).toEqual({ rate: 5, via: "haproxy", timeout: 1500 });
    expect(s.settle).toBe(60_000);
    expect(s.invariants[2]).toEqual({ name: "write-availability", options: { maxUnavailableMs: 60_000, via: "direct" } });
    const skew = s.steps.find((st) => st.id === "skew");
    expect(skew).toMatchObject({ offset: -40_000, drift: 1500, processes: "etcd", method: "shim", line: 65, label: "skew" });
  });
});

describe("invalid fixtures: exact errors", () => {
  it.each(files(`${FIXTURES}/invalid`, ".yaml"))("%s", (name) => {
    const rel = `${FIXTURES}/invalid/${name}`;
    // "{fault types}" stands for the registry's list, so adding a fault kind leaves the fixtures alone.
    const expected = readFileSync(path.join(ROOT, rel.replace(/\.yaml$/, ".errors")), "utf8").trimEnd().replaceAll("{fault types}", FAULT_TYPES.join(", "));
    let message = "";
    try {
      parseScenario(readFileSync(path.join(ROOT, rel), "utf8"), rel);
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      message = (e as ScenarioError).message;
    }
    expect(message).toBe(expected);
  });

  it("every invalid fixture has its .errors file", () => {
    const yaml = files(`${FIXTURES}/invalid`, ".yaml").map((f) => f.replace(/\.yaml$/, ""));
    const errors = files(`${FIXTURES}/invalid`, ".errors").map((f) => f.replace(/\.errors$/, ""));
    expect(errors).toEqual(yaml);
  });
});

describe("the project's scenarios", () => {
  it("every scenario under scenarios/ is valid", async () => {
    if (!existsSync(path.join(ROOT, "scenarios"))) return;
    const found = await findScenarioFiles([path.join(ROOT, "scenarios")]);
    const problems: string[] = [];
    for (const f of found) {
      try {
        await loadScenario(f);
      } catch (e) {
        problems.push(e instanceof ScenarioError ? e.message : String(e));
      }
    }
    expect(problems.join("\n")).toBe("");
  });
});
