import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { History } from "../history/history.js";
import type { HistoryEvent } from "../history/events.js";
import { Journal, readJournal } from "../report/journal.js";
import { renderJson } from "../report/json.js";
import { parseScenario } from "../scenario/load.js";
import { loadKnownIssues } from "../known-issues/load.js";
import { recordFromJournal, reportFromRecord, harnessVersion, type RunMeta } from "./run-record.js";
import { judge } from "./judge.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

const ROOT = path.resolve(import.meta.dirname, "../..");
const FILE = "scenarios/etcd-quorum-loss-failsafe-off.yaml";
const text = readFileSync(path.join(ROOT, FILE), "utf8");
const scenario = parseScenario(text, FILE);
const recorded = readJournal(path.join(ROOT, "test/fixtures/histories/recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl"));
const meta: RunMeta = {
  harness: harnessVersion(),
  scenario: {
    name: scenario.name,
    description: scenario.description,
    incident: "5",
    file: FILE,
    text,
    stepLines: Object.fromEntries(scenario.steps.map((s) => [s.index, s.line])),
    invariants: scenario.invariants,
    patroni: scenario.patroni,
  },
  knownIssues: loadKnownIssues().filter((k) => k.scenario === scenario.name),
  options: { timeScale: 1, seed: 42 },
};
const end = recorded.events.reduce((m, e) => Math.max(m, e.t), 0);
const extra: HistoryEvent[] = [
  { kind: "run-info", t: 9000, versions: { patroni: "3.0.2", postgresql: "15.5", etcd: "3.5.9", pgchaos: "0.1.0" }, topology: { scope: "s", nodes: [{ name: "pg1", kind: "patroni" }] }, setupMs: 9000 },
  { kind: "settle", t: end + 1, ok: true, leader: "pg2", budgetMs: 20000 },
  { kind: "teardown", t: end + 2, ok: true, durationMs: 1500 },
  { kind: "run-end", t: end + 3, endedAt: "2026-11-22T02:50:00.000Z" },
];

describe("the journal is the record", () => {
  it("a journal written as the run goes gives the same report.json as the run's own history", () => {
    const dir = tmp("pgchaos-record-");
    const wall = recorded.header!.wall;
    const history = new History();
    const journal = new Journal(path.join(dir, "journal.jsonl"), { runId: "rid", wall, scenario: scenario.name, meta: meta as unknown as Record<string, unknown> });
    journal.attach(history);
    for (const e of [...recorded.events, ...extra]) history.append(e);
    journal.close();
    const own = reportFromRecord({ runId: "rid", wall, meta, events: history.all() });
    const again = reportFromRecord(recordFromJournal(readJournal(journal.path), journal.path));
    expect(renderJson(again)).toBe(renderJson(own));
    // What the record carries reaches the report.
    expect(own.outcome).toBe("known");
    expect(own.options).toEqual({ timeScale: 1, seed: 42 });
    expect(own.versions.patroni).toBe("3.0.2");
    expect(own.scenario.text).toBe(text);
    expect(own.durations.teardownMs).toBe(1500);
    expect(own.verdicts.map((v) => v.checker)).toEqual(["single-primary", "no-acked-write-lost", "write-availability", "cluster-settled", "lab-teardown", "faults-healed"]);
  });

  it("a journal from before the record is refused with a clear message", () => {
    expect(() => recordFromJournal(recorded, "old.jsonl")).toThrow(/old\.jsonl: the journal header has no run record/);
  });
});

describe("judging whatever was recorded", () => {
  it("an interrupted run (no settle, no final read) still has invariant verdicts, unknown where undecidable", () => {
    const cut = recorded.events.filter((e) => e.t < 25_000 && e.kind !== "final-read"); // mid-fault
    const j = judge({
      events: [{ ...extra[0], t: 5000 } as HistoryEvent, ...cut],
      invariants: scenario.invariants,
      error: "interrupted (SIGINT)",
      scenario: { name: scenario.name, patroni: scenario.patroni },
    });
    const by = Object.fromEntries(j.verdicts.map((v) => [v.checker, v]));
    expect(Object.keys(by)).toEqual(["single-primary", "no-acked-write-lost", "write-availability", "cluster-settled", "lab-teardown", "faults-healed"]);
    expect(by["no-acked-write-lost"]).toMatchObject({ ok: false, unknown: true });
    expect(by["cluster-settled"]).toMatchObject({ ok: false, unknown: true });
    expect(by["single-primary"].ok).toBe(true);
    expect(by["single-primary"].evidence.at(-1)?.message).toContain("did not finish as written (interrupted (SIGINT))");
    // The fault injected before the cut was never healed in that history.
    expect(by["faults-healed"]).toMatchObject({ ok: false });
  });
});
