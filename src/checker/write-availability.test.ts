import { describe, expect, it } from "vitest";
import { Workload } from "../../test/fixtures/histories/builder.js";
import { cleanRun, splitBrain, switchover } from "../../test/fixtures/histories/scenarios.js";
import type { UnavailabilityWindowEvidence } from "./checker.js";
import type { WriteOp } from "../history/events.js";
import { availabilityOf, writeAvailability } from "./write-availability.js";

const check = writeAvailability().check;
const windows = (v: { evidence: { type: string }[] }) =>
  v.evidence.filter((e) => e.type === "unavailability-window") as UnavailabilityWindowEvidence[];

describe("write-availability", () => {
  it("has no window in a clean run and is informational", () => {
    const v = check(cleanRun().events);
    expect(v.ok).toBe(true);
    expect(v.summary).toBe("write unavailability (informational): 0 windows (all writes via direct)");
    expect(v.figures).toMatchObject({ attempts: 280, windows: 0, longestMs: 0, thresholdMs: 1000, runningMs: 27910 });
  });

  it("measures the switchover gap from ack to ack", () => {
    const v = check(switchover().events);
    const [w] = windows(v);
    expect(w).toMatchObject({
      via: "all",
      start: 19910,
      end: 21310,
      durationMs: 1400,
      atRunStart: false,
      atRunEnd: false,
      lastAckBefore: { seq: 190, node: "pg1", t: 19910 },
      firstAckAfter: { seq: 204, node: "pg2", t: 21310 },
      attempts: 13,
      failed: 13,
      unknown: 0,
      errors: ["cannot execute INSERT in a read-only transaction"],
    });
    expect(windows(v)).toHaveLength(1); // a single via: not listed twice
    expect(v.figures).toMatchObject({ windows: 1, longestMs: 1400, "direct.longestMs": 1400 });
  });

  it("fails only with maxUnavailableMs and a longer window", () => {
    const events = splitBrain().events;
    expect(check(events).ok).toBe(true);
    const strict = writeAvailability({ maxUnavailableMs: 10_000 }).check(events);
    expect(strict.ok).toBe(false);
    expect(strict.summary).toMatch(/^longest window 20\.5 s exceeds the limit of 10\.0 s; 1 window, longest 20\.5 s/);
    expect(strict.figures!.maxUnavailableMs).toBe(10_000);
    expect(writeAvailability({ maxUnavailableMs: 30_000 }).check(events).ok).toBe(true);
    expect(check(events, { maxUnavailableMs: 30_000 }).summary).toContain("within the limit of 30.0 s");
  });

  it("finds windows at the start and the end of the run", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 3000, node: null, outcome: "fail", error: "no primary known" });
    wl.add({ from: 3000, to: 27000, node: "pg1" });
    wl.add({ from: 27000, to: 30000, node: "pg1", outcome: "unknown", error: "timeout" });
    const v = check(wl.ops);
    const ws = windows(v);
    expect(ws.map((w) => [w.start, w.end, w.atRunStart, w.atRunEnd])).toEqual([
      [0, 3010, true, false],
      [26910, 29910, false, true],
    ]);
    expect(ws[0].lastAckBefore).toBeUndefined();
    expect(ws[0]).toMatchObject({ attempts: 30, failed: 30, errors: ["no primary known"] });
    expect(ws[1]).toMatchObject({ attempts: 30, unknown: 30, errors: ["timeout"] });
    expect(ws[1].firstAckAfter).toBeUndefined();
    expect(v.figures).toMatchObject({ windows: 2, longestMs: 3010, totalUnavailableMs: 6010 });
  });

  it("does not count time the workload was stopped", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 10000, node: "pg1" });
    wl.add({ from: 20000, to: 30000, node: "pg1" });
    const v = check(wl.ops);
    expect(v.figures).toMatchObject({ windows: 0, runningMs: 9910 + 9910 });
  });

  it("counts a hanging write as running time", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 1000, node: "pg1" });
    wl.add({ from: 1000, to: 1100, node: "pg1", outcome: "unknown", duration: 15000 }); // hangs until 16.0 s
    wl.add({ from: 16000, to: 17000, node: "pg1" });
    const [w] = windows(check(wl.ops));
    expect(w).toMatchObject({ start: 910, end: 16010, durationMs: 15100, attempts: 1, unknown: 1 });
  });

  it("reports each via separately and the threshold follows the attempt rate", () => {
    const wl = new Workload();
    wl.add({ from: 0, to: 20000, node: "pg1", via: "direct", every: 200 });
    wl.add({ from: 100, to: 20100, every: 200, via: "haproxy", node: "haproxy", outcome: (t) => (t >= 5000 && t < 10000 ? "fail" : "ok") });
    const v = check(wl.ops);
    expect(v.figures).toMatchObject({ windows: 0, "direct.windows": 0, "haproxy.windows": 1, "haproxy.longestMs": 5200 });
    const ws = windows(v);
    expect(ws.map((w) => w.via)).toEqual(["haproxy"]);
    expect(v.summary).toBe("write unavailability (informational): 0 windows; direct: 0 windows; haproxy: 1 window, longest 5.2 s, total 5.2 s");
    expect(writeAvailability({ maxUnavailableMs: 2000, via: "haproxy" }).check(wl.ops).ok).toBe(false);
    expect(writeAvailability({ maxUnavailableMs: 2000 }).check(wl.ops).ok).toBe(true);

    // 3 × a 2 s median interval: the threshold rises to 6 s.
    const slow = new Workload();
    slow.add({ from: 0, to: 60000, every: 2000, node: "pg1", outcome: (t) => (t === 10000 || t === 12000 ? "fail" : "ok") });
    const s = availabilityOf(slow.ops, "all");
    expect(s.thresholdMs).toBe(6000);
    expect(s.windows).toHaveLength(0);
  });

  it("does not count a write that timed out while pgchaos itself stalled as unavailability", () => {
    // Under load the harness stalled 2 s: the connect of write 11 (invoked at 1.0 s, 500 ms
    // timeout) timed out when it ran again, at 3.0 s; the next write was acknowledged at once.
    const stalledWrite = (o: { t: number; tEnd: number }): WriteOp => ({
      kind: "write",
      seq: 0,
      node: "pg1",
      via: "direct",
      outcome: "unknown",
      error: "timeout expired",
      stallMs: 1950,
      ...o,
    });
    const wl = new Workload();
    wl.add({ from: 0, to: 1000, node: "pg1" });
    const stalled = stalledWrite({ t: 1000, tEnd: 3000 });
    wl.add({ from: 3000, to: 6000, node: "pg1" });
    const v = writeAvailability({ maxUnavailableMs: 1500 }).check([...wl.ops, stalled]);
    expect(windows(v)).toEqual([]);
    expect(v).toMatchObject({ ok: true, figures: { windows: 0, longestMs: 0 } });
    // The same attempt in a journal written before `stallMs` (a failed connect): a 2.1 s window, as before.
    const old = writeAvailability({ maxUnavailableMs: 1500 }).check([...wl.ops, { ...stalled, outcome: "fail", stallMs: undefined }]);
    expect(old).toMatchObject({ ok: false, figures: { windows: 1, longestMs: 2100 } });
    expect(windows(old)[0].harnessStalledMs).toBeUndefined();

    // A real outage with a stalled attempt inside: the window keeps its span and counts the rest.
    const down = new Workload();
    down.add({ from: 0, to: 1000, node: "pg1" });
    down.add({ from: 1000, to: 4000, node: "pg1", outcome: "fail", error: "ECONNREFUSED connect ECONNREFUSED 172.18.0.3:5432" });
    const s2 = stalledWrite({ t: 4000, tEnd: 6000 });
    down.add({ from: 6000, to: 9000, node: "pg1", outcome: "fail", error: "ECONNREFUSED connect ECONNREFUSED 172.18.0.3:5432" });
    down.add({ from: 9000, to: 10000, node: "pg1" });
    const [w] = windows(check([...down.ops, s2]));
    expect(w).toMatchObject({ start: 910, end: 9010, durationMs: 8100 - 2000, harnessStalledMs: 2000, harnessStalled: 1, unknown: 1 });
    expect(w.message).toContain("; 2.0 s not counted: 1 attempt timed out while pgchaos itself stalled.");
  });

  it("without writes: informational ok, unknown when a limit is set", () => {
    expect(check([])).toMatchObject({ ok: true, summary: "no writes recorded" });
    expect(writeAvailability({ maxUnavailableMs: 1 }).check([])).toMatchObject({ ok: false, unknown: true });
  });
});
