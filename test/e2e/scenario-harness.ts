import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { expect } from "vitest";
import type { ScenarioResult } from "../../src/runner/run-scenario.js";
import type { ScenarioRunInput } from "../../src/runner/run-scenario.js";
import { readJournal } from "../../src/report/journal.js";
import { checkers } from "../../src/checker/index.js";
import { recordFromJournal, replicationOfRecord, reportFromRecord } from "../../src/runner/run-record.js";
import { renderJson } from "../../src/report/json.js";
import type { DcsEndpointSample, HistoryEvent } from "../../src/history/events.js";
import { leftovers } from "./helpers.js";
import { DCS_ENDPOINT_RECOVERY_MS } from "../../src/recorder/dcs-endpoint-sampler.js";
import { decideWhen, WHEN_NOTE_PREFIX } from "../../src/versions/when.js";

const junitXsd = path.resolve("src/report/junit.xsd");

/**
 * What pgchaos promises about any scenario run, whatever Patroni did: reports exist and parse,
 * every injected fault was healed, every step was recorded, the recorder sampled, the verdicts
 * are what the checkers say about the recorded journal, no secret leaked, nothing left behind.
 */
export async function assertHarnessInvariants(input: ScenarioRunInput, r: ScenarioResult) {
  const { report, dir } = r;
  expect(report.error, `infrastructure error: ${report.error}`).toBeUndefined();
  expect(report.outcome).not.toBe("error");

  // Reports exist and parse; JUnit validates against the schema.
  const json = JSON.parse(await readFile(path.join(dir, "report.json"), "utf8"));
  expect(json.runId).toBe(report.runId);
  expect(json.scenario.name).toBe(input.scenario.name);
  expect(json.versions.patroni).toMatch(/^\d+\.\d+/);
  expect(json.versions.postgresql).toMatch(/^15\./);
  expect(json.versions.etcd).toMatch(/^3\.\d+/);
  expect(await readFile(path.join(dir, "report.md"), "utf8")).toContain(input.scenario.name);
  const xmllint = await execa("xmllint", ["--noout", "--schema", junitXsd, path.join(dir, "junit.xml")], { reject: false });
  if (xmllint.exitCode !== 127 && !/ENOENT/.test(String(xmllint.stderr))) expect(xmllint.stderr).toMatch(/validates/);

  // The journal is the record; reload it and check the report against it.
  const journal = readJournal(path.join(dir, "journal.jsonl"));
  const events = journal.events as HistoryEvent[];
  expect(journal.torn).toBe(false);
  expect(events.length).toBe(report.events.length);

  // Every step that applies to the run's versions started and ended, in order; a step whose
  // `when:` ranges do not hold was not run, and a note says so.
  const applies = (st: (typeof input.scenario.steps)[number]) => !st.when || decideWhen(st.when, report.versions).applies;
  const stepEnds = events.filter((e) => e.kind === "step" && e.phase === "end");
  expect(stepEnds.map((e) => (e as { index: number }).index)).toEqual(input.scenario.steps.flatMap((st, i) => (applies(st) ? [i] : [])));
  const notRun = input.scenario.steps.flatMap((st, i) => (applies(st) ? [] : [i + 1]));
  for (const n of notRun) expect(events.some((e) => e.kind === "note" && e.text.startsWith(WHEN_NOTE_PREFIX) && e.text.includes(`step ${n} `) && e.text.includes("not run"))).toBe(true);
  expect(report.steps.map((s) => s.outcome)).toEqual(stepEnds.map((e) => (e as { outcome: string }).outcome));

  // Every fault injected was healed, successfully, after it was injected.
  const faults = events.filter((e) => e.kind === "fault") as Extract<HistoryEvent, { kind: "fault" }>[];
  const injected = faults.filter((f) => f.phase === "inject");
  // (A scenario may have no fault step: e.g. dcs-leader-key-deleted changes the DCS through an action.)
  if (input.scenario.steps.some((s) => s.kind === "fault")) expect(injected.length).toBeGreaterThan(0);
  // A fault that could not be injected is the error of its step: skipped (on_error: continue), else the run errored.
  const skippedSteps = new Set(stepEnds.filter((e) => (e as { outcome?: string }).outcome === "skipped").map((e) => (e as { id: string }).id));
  for (const f of injected) {
    expect(f.ok || skippedSteps.has(f.id), `inject ${f.id}: ${f.error}`).toBe(true);
    const heal = faults.find((h) => h.phase === "heal" && h.id === f.id);
    expect(heal, `fault ${f.id} was never healed`).toBeDefined();
    expect(heal!.ok, `heal ${f.id}: ${heal!.error}`).toBe(true);
    expect(heal!.t).toBeGreaterThanOrEqual(f.t);
  }

  // The recorder sampled every Patroni node and the DCS throughout.
  for (const n of ["pg1", "pg2", "pg3"].slice(0, input.scenario.topology.patroni)) {
    const samples = events.filter((e) => e.kind === "node" && e.node === n);
    expect(samples.length, `samples of ${n}`).toBeGreaterThan(20);
    // Its DCS endpoint too, directly or behind the DCS proxy: while the node runs (its REST API
    // answered within a second of the sample) and no fault is in effect, the samples name an
    // etcd member for most of the time (a dead helper or a connection being replaced makes some
    // fail, never most). A stopped container's samples fail by design, and a node cut from etcd
    // has no connection to name: how long a scenario keeps a node down or cut says nothing of
    // the sampler. Weighed by time, each sample until the next: the recorder samples closely
    // around changes and seldom in between (recorder/attention.ts). A fault's time counts until
    // the sampler's program can have recovered from it: a paused container's program times out
    // and is started again after its heal (CI failed a 6 s run on its pg2's recovery).
    const restUpAt = samples.filter((e) => e.kind === "node" && e.restUp).map((e) => e.t);
    const faultEvents = events.filter((e) => e.kind === "fault");
    const faulted = (t: number) =>
      faultEvents.some(
        (f) =>
          f.kind === "fault" &&
          f.phase === "inject" &&
          f.t <= t &&
          !faultEvents.some((h) => h.kind === "fault" && h.phase === "heal" && h.id === f.id && h.t + DCS_ENDPOINT_RECOVERY_MS <= t),
      );
    const running = (t: number) => restUpAt.some((u) => Math.abs(u - t) <= 1000) && !faulted(t);
    const endpoints = events.filter((e): e is DcsEndpointSample => e.kind === "dcs-endpoint" && e.node === n);
    let namedMs = 0;
    let runningMs = 0;
    for (let i = 0; i + 1 < endpoints.length; i++) {
      if (!running(endpoints[i].t)) continue;
      const ms = endpoints[i + 1].t - endpoints[i].t;
      runningMs += ms;
      if (endpoints[i].current !== undefined && /^e\d+$/.test(endpoints[i].current!)) namedMs += ms;
    }
    expect(runningMs, `${n}: DCS endpoint samples while the node ran and no fault was in effect`).toBeGreaterThan(0);
    expect(namedMs, `${n}: time DCS endpoint samples name a member, of ${runningMs} ms sampled while the node ran and no fault was in effect (${endpoints.length} samples)`).toBeGreaterThan(
      runningMs / 2,
    );
  }
  // The DCS throughout: one sample every 5 s on average and no gap over 20 s (one every
  // DCS_RESTING_MS at rest; with etcd's quorum lost a sample waits out its timeouts, and gaps of
  // 15.3 s were recorded). A fixed count depended on how long the scenario lasts: a 27 s run with
  // etcd's quorum lost had 19 samples, and CI failed on "more than 20". A failed sample taken
  // while the harness stalled is recorded as unknown, and is a sample all the same: CI (load 17)
  // recorded seven in a row with etcd's quorum lost, a 23.8 s gap between the others.
  const dcsTimes = events.filter((e) => e.kind === "dcs" || (e.kind === "unknown-sample" && e.of === "dcs")).map((e) => e.t);
  const dcsSpan = dcsTimes.length ? dcsTimes[dcsTimes.length - 1] - dcsTimes[0] : 0;
  expect(dcsTimes.length, `DCS samples over ${dcsSpan} ms`).toBeGreaterThanOrEqual(Math.max(5, Math.floor(dcsSpan / 5000)));
  const dcsGaps = dcsTimes.slice(1).map((t, i) => t - dcsTimes[i]);
  expect(Math.max(...dcsGaps), `longest gap between DCS samples (ms), of ${dcsTimes.length} samples`).toBeLessThanOrEqual(20_000);
  expect(events.some((e) => e.kind === "final-read" && e.primary)).toBe(true);
  if (input.scenario.workload.rate > 0) expect(report.workload.attempted).toBeGreaterThan(0);

  // Verdicts are exactly what the checkers say about the recorded journal (no-acked-write-lost
  // against the replication settings the journal records, as the judge gives them).
  const record = recordFromJournal(readJournal(path.join(dir, "journal.jsonl")), "journal.jsonl");
  const replication = replicationOfRecord(record.meta);
  for (const v of report.verdicts.filter((x) => x.checker in checkers)) {
    const inv = input.scenario.invariants.find((i) => i.name === v.checker)!;
    const options = v.checker === "no-acked-write-lost" ? { ...inv.options, replication } : inv.options;
    const again = (checkers[v.checker] as (o?: object) => { check: (ev: readonly HistoryEvent[]) => { ok: boolean; summary: string } })(options).check(events);
    expect({ checker: v.checker, ok: again.ok, summary: again.summary }).toEqual({ checker: v.checker, ok: v.ok, summary: v.summary });
  }
  // The journal is the record: judged from it alone, the report is the run's own.
  const again = reportFromRecord(record);
  expect(renderJson(again)).toBe(renderJson(report));
  // (A step skipped under on_error: continue neither fails nor errors the run.)
  const failed = report.steps.some((s) => s.outcome !== "pass" && s.outcome !== "skipped") || report.verdicts.some((v) => !v.ok);
  const known = failed && !!report.knownIssues?.some((k) => k.showed);
  expect(report.outcome).toBe(failed ? (known && report.outcome === "known" ? "known" : "fail") : "pass");

  // No secret in anything the run wrote.
  const files = await walk(dir);
  for (const f of files) {
    const text = await readFile(f, "utf8");
    for (const s of Object.values(r.secrets)) expect(text.includes(s), `secret found in ${f}`).toBe(false);
  }
  // Container logs were kept.
  expect(files.some((f) => f.endsWith(path.join("logs", "pg1.log")))).toBe(true);

  // Nothing left behind.
  expect(await leftovers(report.runId)).toEqual({ containers: [], networks: [], volumes: [] });
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir)) {
    const p = path.join(dir, e);
    if ((await stat(p)).isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}
