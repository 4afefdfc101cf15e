import { describe, expect, it } from "vitest";
import { checkers } from "../checker/index.js";
import { cleanRun, splitBrainReportInput } from "../../test/fixtures/histories/scenarios.js";
import { buildReport } from "./model.js";

describe("buildReport", () => {
  it("derives steps, faults, actions and workload figures from the history", () => {
    const input = splitBrainReportInput();
    const r = buildReport({ ...input, verdicts: [checkers["single-primary"]().check(input.events)] });
    expect(r.schemaVersion).toBe(1);
    expect(r.outcome).toBe("fail");
    expect(r.error).toBeUndefined();
    expect(r.durations).toEqual({ totalMs: 93250, historyMs: 52600 });
    expect(r.steps.map((s) => [s.index, s.type, s.tStart, s.tEnd, s.outcome, s.line])).toEqual([
      [0, "fault", 10000, 10050, "pass", 12],
      [1, "sleep", 10050, 40000, "pass", undefined],
      [2, "heal", 40000, 40050, "pass", undefined],
      [3, "expect", 40050, 50000, "fail", 20],
    ]);
    expect(r.steps[3].detail).toBe("pg2 and pg3 both primary at +40.3s");
    expect(r.faults).toEqual([
      { id: "step-1", type: "etcd-pause", targets: ["e1", "e2", "e3"], injectedAt: 10040, healedAt: 40030, ok: true },
    ]);
    expect(r.actions).toHaveLength(1);
    expect(r.actions[0]).toMatchObject({ id: "step-5", action: "switchover", ok: false, status: 503 });
    expect(r.workload).toMatchObject({ attempted: 490, ok: 285, fail: 204, unknown: 1, notSent: 0, spanMs: 48910 });
    expect(r.workload.rate).toBeCloseTo(490 / 48.91, 2);
    expect(r.workload.byVia).toEqual({ direct: { attempted: 490, ok: 285, fail: 204, unknown: 1 } });
    expect(r.versions).toEqual({ postgresql: "15.3", patroni: "3.0.2", etcd: "3.5.10" });
    expect(r.events.length).toBe(input.events.length);
    expect(r.findings).toHaveLength(1);
  });

  it("passes when steps pass and verdicts are ok", () => {
    const f = cleanRun();
    const r = buildReport({
      runId: "r1",
      scenario: { name: "clean" },
      startedAt: new Date("2024-05-01T12:00:00Z"),
      endedAt: new Date("2024-05-01T12:00:40Z"),
      origin: new Date("2024-05-01T12:00:01Z"),
      events: f.events,
      verdicts: Object.values(checkers).map((mk) => mk().check(f.events)),
    });
    expect(r.outcome).toBe("pass");
    expect(r.startedAt).toBe("2024-05-01T12:00:00.000Z");
    expect(r.versions.patroni).toBe("unknown");
    expect(r.topology).toEqual({ nodes: [] });
    expect(r.findings).toBeUndefined();
  });

  it("fails on a verdict alone", () => {
    const r = buildReport({
      runId: "r",
      scenario: { name: "x" },
      startedAt: "2024-05-01T12:00:00Z",
      endedAt: "2024-05-01T12:00:01Z",
      origin: "2024-05-01T12:00:00Z",
      events: [],
      verdicts: [{ checker: "no-acked-write-lost", ok: false, unknown: true, summary: "no final read", evidence: [] }],
    });
    expect(r.outcome).toBe("fail");
    expect(r.workload).toMatchObject({ attempted: 0, rate: 0, spanMs: 0 });
  });

  it("is an error on an infrastructure error, an errored step or an unfinished step", () => {
    const base = { runId: "r", scenario: { name: "x" }, startedAt: "2024-05-01T12:00:00Z", endedAt: "2024-05-01T12:00:01Z", origin: "2024-05-01T12:00:00Z" };
    expect(buildReport({ ...base, events: [], error: new Error("docker: no space left on device") })).toMatchObject({
      outcome: "error",
      error: "docker: no space left on device",
    });
    const unfinished = buildReport({
      ...base,
      events: [{ kind: "step", t: 5, index: 0, id: "kill", type: "fault", phase: "start", text: "kill patroni on pg1" }],
    });
    expect(unfinished.outcome).toBe("error");
    expect(unfinished.steps[0]).toMatchObject({ tEnd: null, outcome: "error", detail: "step did not finish" });
    expect(unfinished.error).toBe("step 1 (kill) did not finish: step did not finish");
    const errored = buildReport({
      ...base,
      events: [
        { kind: "step", t: 5, index: 0, id: "kill", type: "fault", phase: "start", text: "kill" },
        { kind: "step", t: 9, index: 0, id: "kill", type: "fault", phase: "end", text: "kill", outcome: "error", detail: "exec failed" },
      ],
    });
    expect(errored).toMatchObject({ outcome: "error", error: "step 1 (kill) errored: exec failed" });
    // on_error: continue: the runner records the step as skipped and goes on; the run is judged by the rest.
    const skipped = buildReport({
      ...base,
      events: [
        { kind: "step", t: 5, index: 0, id: "kill", type: "fault", phase: "start", text: "kill" },
        { kind: "step", t: 9, index: 0, id: "kill", type: "fault", phase: "end", text: "kill", outcome: "skipped", detail: "exec failed" },
        { kind: "step", t: 10, index: 1, id: "step-2", type: "sleep", phase: "start", text: "sleep 1s" },
        { kind: "step", t: 11, index: 1, id: "step-2", type: "sleep", phase: "end", text: "sleep 1s", outcome: "pass" },
      ],
    });
    expect(skipped.outcome).toBe("pass");
    expect(skipped.error).toBeUndefined();
    expect(skipped.steps.map((st) => [st.id, st.outcome, st.detail])).toEqual([
      ["kill", "skipped", "exec failed"],
      ["step-2", "pass", undefined],
    ]);
  });

  it("keeps a fault that was never healed visible, and a failed heal not ok", () => {
    const base = { runId: "r", scenario: { name: "x" }, startedAt: "2024-05-01T12:00:00Z", endedAt: "2024-05-01T12:00:01Z", origin: "2024-05-01T12:00:00Z" };
    const r = buildReport({
      ...base,
      events: [
        { kind: "fault", t: 1, id: "a", fault: "etcd-pause", phase: "inject", targets: ["e1"], ok: true },
        { kind: "fault", t: 2, id: "b", fault: "network-partition", phase: "inject", targets: ["pg1"], ok: true, params: { from: ["pg2"] } },
        { kind: "fault", t: 3, id: "b", fault: "network-partition", phase: "heal", targets: ["pg1"], ok: false, error: "iptables: busy" },
      ],
    });
    expect(r.faults).toEqual([
      { id: "a", type: "etcd-pause", targets: ["e1"], injectedAt: 1, healedAt: null, ok: true },
      { id: "b", type: "network-partition", targets: ["pg1"], injectedAt: 2, healedAt: 3, ok: false, error: "heal: iptables: busy", params: { from: ["pg2"] } },
    ]);
  });
});
