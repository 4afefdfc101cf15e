// The shipped known issues' evidence, checked against the Patroni logs of real runs (Patroni
// 3.0.2, bookworm, recorded 2026-12-02): an entry must show on a run where its behaviour
// happened and stay silent on a run of the same scenario where it did not, so a failure it does
// not explain still fails the game day. Fixtures: the pg nodes' log events of each run's
// journal.jsonl (noise such as REST responses and tracebacks left out), with the failures'
// windows taken from the runs' report.json.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { readFileSync } from "node:fs";
import type { LogLine } from "../history/events.js";
import { parseScenario } from "../scenario/load.js";
import { loadKnownIssues } from "./load.js";
import { allExplained, matchKnownIssues, type Failure } from "./match.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const shipped = loadKnownIssues();
const V302 = { patroni: "3.0.2", postgresql: "15.20 (Debian 15.20-0+deb12u1)", etcd: "3.4.23" };

const logs = (name: string): LogLine[] =>
  readFileSync(path.join(ROOT, "test/fixtures/known-issues", `${name}.pg-logs.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);

function match(scenario: string, events: LogLine[], failures: Failure[], versions: Record<string, string> = V302) {
  const results = matchKnownIssues({ scenario, issues: shipped, versions, events, failures });
  return { results, shown: results.filter((r) => r.showed).map((r) => r.id), explained: allExplained(failures, results) };
}

describe("clock-skew-leader-backward-jump: the lease re-acquired at once", () => {
  const run = logs("clock-skew-leader-backward-jump.2026-12-02T0041");
  const failures: Failure[] = [{ key: "step:missing-while-writable", start: 65_186, end: 110_400 }];

  it("the recorded run (no 'Our lease disappeared' line) is the known behaviour", () => {
    const m = match("clock-skew-leader-backward-jump", run, failures);
    expect(m.shown).toEqual(["backward-jump-lease-reacquired"]);
    expect(m.explained).toBe(true);
    expect(m.results[0]!.evidence[0]).toMatch(/^pg2 \+3[01]\.\ds: .*acquired session lock as a leader/);
  });

  it("the scenario's lease-lost step accepts the line the jumped leader logged after the jump", () => {
    const file = "scenarios/clock-skew-leader-backward-jump.yaml";
    const s = parseScenario(readFileSync(path.join(ROOT, file), "utf8"), file);
    const step = s.steps.find((x) => x.id === "lease-lost");
    const cond = step?.kind === "expect" ? step.expect.find((c) => c.type === "log") : undefined;
    const re = new RegExp(cond?.type === "log" ? cond.matches : "^never$");
    const jumpAt = 18_735;
    // Within the step's budget (30 s at time scale 1.5); later lines are from the lab's teardown.
    expect(run.filter((l) => l.node === "pg2" && l.t >= jumpAt && l.t <= jumpAt + 45_000 && re.test(l.line)).map((l) => l.line)).toEqual([
      expect.stringContaining("acquired session lock as a leader"),
    ]);
    // Nothing of the kind before the jump: the step reads the jump's effect, not the bootstrap.
    expect(run.filter((l) => l.t < jumpAt && re.test(l.line))).toEqual([]);
  });

  it("without the re-acquisition the same failure is unexpected", () => {
    const without = run.filter((l) => !/acquired session lock as a leader|Our lease disappeared/.test(l.line));
    const m = match("clock-skew-leader-backward-jump", without, failures);
    expect(m.shown).toEqual([]);
    expect(m.explained).toBe(false);
  });
});

describe("etcd-quorum-loss-failsafe-off: the quorum-return race and the diverged former leader", () => {
  // report-html e2e run 00:30: pg1 and pg3 both promoted to timeline 2; pg1 never streamed again.
  const diverged = logs("etcd-quorum-loss-failsafe-off.diverged.2026-12-02T0030");
  const failures: Failure[] = [
    { key: "step:replicas-streaming", start: 41_900, end: 132_000 },
    { key: "checker:single-primary", start: 42_500, end: 43_000 },
    { key: "checker:no-acked-write-lost", start: 42_300, end: 42_600 },
    { key: "checker:cluster-settled", start: 132_100, end: 162_100 },
  ];

  it("every failure of the recorded run is explained by the two entries", () => {
    const m = match("etcd-quorum-loss-failsafe-off", diverged, failures);
    expect(m.shown.sort()).toEqual(["quorum-return-diverged-former-leader", "quorum-return-leader-race"]);
    expect(m.results.find((r) => r.id === "quorum-return-diverged-former-leader")!.matched.sort()).toEqual([
      "checker:cluster-settled",
      "step:replicas-streaming",
    ]);
    expect(m.explained).toBe(true);
  });

  it("the logs of a run without the race (it passed) explain none of those failures", () => {
    const m = match("etcd-quorum-loss-failsafe-off", logs("etcd-quorum-loss-failsafe-off.pass.2026-12-02T0046"), failures);
    expect(m.shown).toEqual([]);
    expect(m.explained).toBe(false);
  });

  it("a replica that rejoined after the race leaves the streaming failure unexplained", () => {
    const rejoined = diverged.filter((l) => !/incorrect prev-link/.test(l.line));
    const m = match("etcd-quorum-loss-failsafe-off", rejoined, failures);
    expect(m.shown).toEqual(["quorum-return-leader-race"]);
    expect(m.explained).toBe(false);
  });

  it("outside the version range the same record fails", () => {
    expect(match("etcd-quorum-loss-failsafe-off", diverged, failures, { ...V302, patroni: "3.1.0" }).explained).toBe(false);
  });
});

describe("watch-stall-replica-failsafe-on: the stalled replica cached no leader", () => {
  const run = logs("watch-stall-replica-failsafe-on.2026-12-02T0057");

  it("the recorded failure of 'recovered' is the known behaviour", () => {
    const m = match("watch-stall-replica-failsafe-on", run, [{ key: "step:recovered", start: 45_811, end: 90_800 }]);
    expect(m.shown).toEqual(["stalled-replica-cached-no-leader"]);
    expect(m.explained).toBe(true);
    expect(m.results[0]!.evidence[0]).toMatch(/^pg2 \+46\.\ds: .*parameter "primary_conninfo" removed/);
  });

  it("the other landing of the race (cache: leader key without its member) is the same known behaviour", () => {
    // -j 2 game day 04:28: pg1's cache named leader pg3 without pg3's member key.
    const other = logs("watch-stall-replica-failsafe-on.leader-without-member.2026-12-02T0428");
    const failure: Failure = { key: "step:recovered", start: 59_553, end: 89_585 };
    const m = match("watch-stall-replica-failsafe-on", other, [failure]);
    expect(m.shown).toEqual(["stalled-replica-cached-no-leader"]);
    expect(m.results[0]!.evidence[0]).toMatch(/^pg1 \+51\.9s: .*primary_conninfo" removed/);
    // Had primary_conninfo been set again before the step ended, the failure would be unexpected.
    const reset: LogLine = { kind: "log", t: 70_000, node: "pg1", line: 'LOG:  parameter "primary_conninfo" changed to "host=pg3"' };
    expect(match("watch-stall-replica-failsafe-on", [...other, reset], [failure]).explained).toBe(false);
  });

  it("the other replica's transient drop in the same gap (set again at once) explains nothing", () => {
    const transient = run.filter((l) => l.node !== "pg2");
    expect(transient.some((l) => /primary_conninfo" removed/.test(l.line))).toBe(true);
    expect(match("watch-stall-replica-failsafe-on", transient, [{ key: "step:recovered", start: 45_811, end: 90_800 }]).explained).toBe(false);
  });

  it("a failure of the same step while the replica still followed the leader is unexpected", () => {
    // Before +45.8 s pg2 followed pg1 (its failsafe flag still set): no evidence near that window.
    const m = match("watch-stall-replica-failsafe-on", run, [{ key: "step:recovered", start: 20_000, end: 40_000 }]);
    expect(m.shown).toEqual([]);
    expect(m.explained).toBe(false);
  });
});
