import path from "node:path";
import { describe, expect, test } from "vitest";
import YAML from "yaml";
import type { Verdict } from "../checker/checker.js";
import type { HistoryEvent } from "../history/events.js";
import { loadKnownIssues } from "../known-issues/load.js";
import { readJournal } from "../report/journal.js";
import { buildReport } from "../report/model.js";
import { judge } from "../runner/judge.js";
import {
  bookRun,
  emptyBook,
  findingDir,
  applicableIssues,
  faultKindsOf,
  judgeRun,
  primaryFailure,
  rateText,
  reproduces,
  reproductionRate,
  settleMinimal,
  signatureOf,
  type RunJudgement,
} from "./findings.js";

const doc = (yaml: string) => YAML.parse(yaml) as Record<string, unknown>;

const SCHEDULE = doc(`
name: explore-1-0
description: d
steps:
  - { id: f1-partition, fault: partition, targets: leader@start, duration: 10s }
  - { sleep: 3s }
  - { id: a2-switchover, action: switchover, candidate: pg2, expect_status: [200, 412] }
  - { id: f3-etcd-stop, fault: etcd-stop, targets: [e1, e2] }
  - { id: finally-resume, action: resume }
  - { id: heal-all, heal: all }
  - { id: settled, expect: [{ leader: exists }, { streaming: { node: all } }], within: 90s }
`);

function step(index: number, id: string, type: string, outcome: "pass" | "fail"): HistoryEvent[] {
  return [
    { kind: "step", t: index * 1000, index, id, type: type as "expect", phase: "start", text: id },
    { kind: "step", t: index * 1000 + 500, index, id, type: type as "expect", phase: "end", text: id, outcome },
  ];
}
const verdict = (checker: string, ok: boolean, extra: Partial<Verdict> = {}): Verdict => ({ checker, ok, summary: checker, evidence: [], ...extra });

function report(events: HistoryEvent[], verdicts: Verdict[], o: { error?: string; versions?: Record<string, string> } = {}) {
  return buildReport({
    runId: "r",
    scenario: { name: "explore-1-0" },
    startedAt: "2026-01-01T00:00:00Z",
    endedAt: "2026-01-01T00:05:00Z",
    origin: "2026-01-01T00:00:00Z",
    versions: { patroni: "3.0.2", postgresql: "15.5", etcd: "3.4.23", ...o.versions },
    events,
    verdicts,
    ...(o.error ? { error: o.error } : {}),
  });
}

describe("judging a run of a schedule", () => {
  test("invariants, run checks and the settle expectation count; refused actions, fault steps and the harness's checks are set aside", () => {
    const r = report(
      [...step(0, "f1-partition", "fault", "pass"), ...step(2, "a2-switchover", "action", "fail"), ...step(6, "settled", "expect", "fail")],
      [verdict("single-primary", false), verdict("no-acked-write-lost", true), verdict("faults-healed", false), verdict("cluster-settled", false, { unknown: true })],
    );
    const j = judgeRun(r, SCHEDULE);
    expect(j).toMatchObject({ verdict: "finding", failures: ["checker:single-primary", "step:settled"], setAside: ["checker:faults-healed", "step:a2-switchover"] });
  });

  test("a run whose only failures are refused actions passes; an infrastructure error with nothing counted is an error, not a finding", () => {
    expect(judgeRun(report(step(2, "a2-switchover", "action", "fail"), [verdict("single-primary", true)]), SCHEDULE)).toMatchObject({ verdict: "pass", setAside: ["step:a2-switchover"] });
    expect(judgeRun(report([], [verdict("single-primary", false, { unknown: true })], { error: "the lab did not start" }), SCHEDULE).verdict).toBe("error");
  });

  test("a known issue of the shared file explains a drawn schedule's failure when its evidence is in the record, whatever scenario it was written for", () => {
    const r = quorumSplitBrainReport();
    const failing = judgeRun(r, SCHEDULE, []);
    expect(failing.verdict).toBe("finding");
    expect(failing.failures).toContain("checker:single-primary");
    const explained = judgeRun(r, SCHEDULE, loadKnownIssues());
    expect(explained.verdict).toBe("explained");
    expect(explained.explainedBy.map((k) => k.id)).toContain("quorum-return-leader-race");
    // On versions outside the issue's ranges the same record is a finding. (The race's own
    // entries: the no-watchdog entries of every version have generic evidence lines, and explore
    // applies them only to schedules with their scenario's fault kinds, the next test's rule.)
    const race = loadKnownIssues().filter((k) => k.id.startsWith("quorum-return-"));
    expect(judgeRun({ ...r, versions: { ...r.versions, patroni: "4.0.7" } }, SCHEDULE, race).verdict).toBe("finding");
  });

  test("a known issue written for a scenario explains a schedule only when the schedule injects every fault kind of that scenario", () => {
    const r = quorumSplitBrainReport();
    expect(faultKindsOf(SCHEDULE)).toEqual(["etcd-stop", "partition"]);
    const issues = loadKnownIssues();
    // The schedule (etcd-stop, partition) lacks etcd-quorum-loss: an issue of a scenario of it does not explain it, nor one of partition + etcd-dns-break.
    const quorumOnly = issues.map((k) => ({ ...k, faultKinds: ["etcd-quorum-loss"] }));
    expect(applicableIssues(quorumOnly, SCHEDULE)).toEqual([]);
    expect(judgeRun(r, SCHEDULE, quorumOnly).verdict).toBe("finding");
    expect(judgeRun(r, SCHEDULE, issues.map((k) => ({ ...k, faultKinds: ["etcd-dns-break", "partition"] }))).verdict).toBe("finding");
    // Every kind of the scenario injected (others besides) is enough; an issue whose scenario's kinds are unknown applies to any schedule.
    expect(judgeRun(r, SCHEDULE, issues.map((k) => ({ ...k, faultKinds: ["partition"] }))).verdict).toBe("explained");
    expect(judgeRun(r, SCHEDULE, issues.map((k) => ({ ...k, faultKinds: ["etcd-stop", "partition"] }))).verdict).toBe("explained");
    expect(applicableIssues(issues, SCHEDULE)).toHaveLength(issues.length);
  });
});

describe("signatures", () => {
  const judged = (failures: string[]): RunJudgement => ({ verdict: "finding", failures, setAside: [], explainedBy: [] });

  test("a signature is the failures, the fault and action kinds and the roles of the targets", () => {
    const s = signatureOf(["checker:single-primary", "step:settled"], SCHEDULE);
    expect(s).toMatchObject({ failures: ["checker:single-primary", "step:settled"], faults: ["etcd-stop", "partition"], actions: ["switchover"], roles: ["etcd", "leader", "patroni"] });
    expect(s.key).toBe("single-primary+step-settled--etcd-stop+partition--switchover--etcd+leader+patroni");
  });

  test("schedules that differ in names, durations and waits but not in kinds and roles group together; another failure or kind does not", () => {
    const other = doc(`
steps:
  - { id: f1-etcd-stop, fault: etcd-stop, targets: e3 }
  - { id: f2-partition, fault: partition, targets: leader@f1-etcd-stop, duration: 50s, direction: in }
  - { sleep: 9s }
  - { id: a3-switchover, action: switchover, candidate: pg3 }
  - { id: heal-all, heal: all }
`);
    const failures = ["checker:single-primary", "step:settled"];
    expect(signatureOf(failures, other).key).toBe(signatureOf(failures, SCHEDULE).key);
    expect(signatureOf(["checker:no-acked-write-lost"], other).key).not.toBe(signatureOf(failures, SCHEDULE).key);
    const withKill = doc(YAML.stringify({ steps: [...(other.steps as object[]), { id: "f4-process-kill", fault: "process-kill", targets: "pg1", process: "postgres" }] }));
    expect(signatureOf(failures, withKill).key).not.toBe(signatureOf(failures, other).key);

    const book = emptyBook();
    expect(bookRun(book, "explore-1-0", judged(failures), SCHEDULE).isNew).toBe(true);
    expect(bookRun(book, "explore-1-1", judged(failures), other)).toMatchObject({ isNew: false, finding: { schedules: ["explore-1-0", "explore-1-1"] } });
    expect(bookRun(book, "explore-1-2", judged(["checker:no-acked-write-lost"]), other).isNew).toBe(true);
    expect(bookRun(book, "explore-1-3", { verdict: "pass", failures: [], setAside: [], explainedBy: [] }, other).isNew).toBe(false);
    bookRun(book, "explore-1-4", { verdict: "explained", failures, setAside: [], explainedBy: [{ id: "quorum-return-leader-race", summary: "", showed: true, matched: failures, evidence: [] }] }, other);
    expect(book.findings).toHaveLength(2);
    expect(book.explained).toEqual({ "quorum-return-leader-race": 1 });
  });

  test("a long signature is cut and made unique with a hash", () => {
    const many = doc(YAML.stringify({ steps: ["etcd-stop", "etcd-pause", "etcd-kill", "etcd-quorum-loss", "etcd-rebuild", "process-kill", "process-pause", "container-pause"].map((f) => ({ fault: f })) }));
    const key = signatureOf(["checker:single-primary", "checker:no-acked-write-lost", "checker:cluster-settled"], many).key;
    expect(key.length).toBeLessThanOrEqual(120);
    expect(key).toMatch(/^[a-z0-9+_-]+-[0-9a-f]{9}$/);
  });

  test("two findings whose schedules shrink to the same signature become one", () => {
    const book = emptyBook();
    const a = bookRun(book, "s-1", judged(["checker:single-primary"]), SCHEDULE).finding!;
    const b = bookRun(book, "s-2", judged(["checker:single-primary"]), doc("steps: [{ fault: etcd-pause, targets: e1 }, { fault: partition, targets: replica@start }]")).finding!;
    const minimal = doc("steps: [{ fault: partition, targets: leader@start }]");
    const sig = signatureOf(["checker:single-primary"], minimal);
    expect(settleMinimal(book, a, { signature: sig, steps: 1, shrinkSteps: 4, runs: 12, stopped: "local minimum" })).toBe(a);
    expect(findingDir(a)).toBe("single-primary--partition--no-action--leader");
    expect(settleMinimal(book, b, { signature: sig, steps: 1, shrinkSteps: 2, runs: 8, stopped: "local minimum" })).toBe(a);
    expect(book.findings).toEqual([a]);
    expect(a.schedules).toEqual(["s-1", "s-2"]);
  });
});

describe("reproduction", () => {
  const run = (failures: string[]): RunJudgement => ({ verdict: failures.length ? "finding" : "pass", failures, setAside: [], explainedBy: [] });

  test("a rerun reproduces a finding when it fails the finding's gravest failure", () => {
    const finding = ["checker:cluster-settled", "checker:single-primary", "step:settled"];
    expect(primaryFailure(finding)).toBe("checker:single-primary");
    expect(reproduces(finding, run(["checker:single-primary"]))).toBe(true);
    expect(reproduces(finding, run(["checker:cluster-settled", "step:settled"]))).toBe(false);
    expect(reproduces(["step:settled"], run(["checker:no-acked-write-lost", "step:settled"]))).toBe(true);
    expect(reproduces(finding, { ...run(["checker:single-primary"]), verdict: "explained" })).toBe(false);
  });

  test("the rate of k reruns, with its 95% interval", () => {
    const r = reproductionRate([true, false, true]);
    expect(r).toMatchObject({ reproduced: 2, runs: 3 });
    expect(r.rate).toBeCloseTo(2 / 3);
    expect(r.low).toBeGreaterThan(0.1);
    expect(r.high).toBeLessThan(1);
    expect(rateText(r)).toMatch(/^2\/3 reruns reproduced it \(95% interval \d+-\d+%\)$/);
    expect(reproductionRate([])).toMatchObject({ reproduced: 0, runs: 0, rate: 0 });
  });
});

/** The recorded quorum-loss split brain of Patroni 3.0.2, judged as a schedule named explore-1-0. */
function quorumSplitBrainReport() {
  const events = readJournal(path.resolve(import.meta.dirname, "../../test/fixtures/histories/recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl")).events;
  const invariants = [
    { name: "single-primary" as const, options: {} },
    { name: "no-acked-write-lost" as const, options: {} },
  ];
  const versions = { patroni: "3.0.2", postgresql: "15.5", etcd: "3.4.23" };
  const j = judge({ events, invariants, scenario: { name: "explore-1-0", patroni: { loop_wait: 2, retry_timeout: 4 } }, knownIssues: [], versions });
  return buildReport({ runId: "r", scenario: { name: "explore-1-0" }, startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:05:00Z", origin: "2026-01-01T00:00:00Z", versions, events, verdicts: j.verdicts });
}
