import { describe, expect, test } from "vitest";
import { dcsKeyPath, dcsStepProblems } from "./params.js";
import { pinnedMemberFaulted, pinnedWatchMember, stringLeaves, valueSummary } from "../../recorder/dcs-watch-recorder.js";
import { describeStep } from "../../runner/describe-step.js";
import type { HistoryEvent } from "../../history/events.js";
import type { Step } from "../../scenario/schema.js";

describe("dcs action parameters", () => {
  test("exactly one of delete / put", () => {
    expect(dcsStepProblems({})[0].message).toMatch(/exactly one of delete/);
    expect(dcsStepProblems({ delete: "leader", put: "config", value: "x" })[0]).toMatchObject({ path: ["put"] });
    expect(dcsStepProblems({ delete: "leader" })).toEqual([]);
  });
  test("member key needs a member, others refuse one; put needs a value, delete refuses one", () => {
    expect(dcsStepProblems({ delete: "member" })[0]).toMatchObject({ path: ["delete"], message: expect.stringMatching(/needs member/) });
    expect(dcsStepProblems({ delete: "leader", member: { text: "pg1" } })[0]).toMatchObject({ path: ["member"] });
    expect(dcsStepProblems({ put: "config" })[0]).toMatchObject({ path: ["put"], message: expect.stringMatching(/needs value/) });
    expect(dcsStepProblems({ delete: "config", value: "{}" })[0]).toMatchObject({ path: ["value"] });
    expect(dcsStepProblems({ put: "config", value: { ttl: "x" } })).toEqual([]);
  });
  test("key paths below the cluster prefix", () => {
    expect(dcsKeyPath("leader")).toBe("leader");
    expect(dcsKeyPath("member", "pg2")).toBe("members/pg2");
  });
  test("describe-step writes a mapping value as JSON", () => {
    const step = { kind: "action", action: "dcs", put: "config", value: { ttl: "bad" } } as unknown as Step;
    expect(describeStep(step)).toBe('action dcs put=config value={"ttl":"bad"}');
  });
});

describe("DCS watch recorder helpers", () => {
  test("value summary: member keys in short, leader as is, long values cut", () => {
    const member = JSON.stringify({ conn_url: "postgres://x", role: "replica", state: "running", xlog_location: 1234, timeline: 2 });
    expect(valueSummary("members/pg2", member)).toBe("replica running xlog 1234 tl 2");
    expect(valueSummary("members/pg2", "not json")).toBe("not json");
    expect(valueSummary("leader", "pg1")).toBe("pg1");
    expect(valueSummary("config", "x".repeat(500))).toHaveLength(161);
  });
  test("pins the last etcd member no step names, else the last one", () => {
    expect(pinnedWatchMember(["e1", "e2", "e3"], new Set())).toBe("e3");
    expect(pinnedWatchMember(["e1", "e2", "e3"], stringLeaves([{ fault: "etcd-pause", targets: [{ text: "e3" }] }]))).toBe("e2");
    expect(pinnedWatchMember(["e1"], new Set(["e1"]))).toBe("e1");
  });
  test("notes a fault that reached the pinned member, and only then", () => {
    const ev = (targets: string[]): HistoryEvent => ({ kind: "fault", t: 1, id: "outage", fault: "etcd-quorum-loss", phase: "inject", targets, ok: true });
    expect(pinnedMemberFaulted([ev(["e1", "e2"])], "e3")).toBeUndefined();
    expect(pinnedMemberFaulted([ev(["e2", "e3"])], "e3")).toMatch(/pinned to e3, which etcd-quorum-loss \(outage\)/);
  });
});
