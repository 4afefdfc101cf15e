import { describe, expect, test } from "vitest";
import type { HistoryEvent } from "../history/events.js";
import { faultsHealed } from "./run-checks.js";

const inject = (id: string, ok: boolean, t = 1): HistoryEvent => ({ kind: "fault", t, id, fault: "partition", phase: "inject", targets: ["pg2"], ok, ...(ok ? {} : { error: "container paused" }) });
const heal = (id: string, ok: boolean, t = 5): HistoryEvent => ({ kind: "fault", t, id, fault: "partition", phase: "heal", targets: ["pg2"], ok });
const stepEnd = (id: string, outcome: "pass" | "error" | "skipped"): HistoryEvent => ({ kind: "step", t: 2, index: 0, id, type: "fault", phase: "end", text: "partition", outcome });

describe("faults-healed", () => {
  test("a failed inject is a problem, unless its step accepted the error (on_error: continue)", () => {
    expect(faultsHealed([inject("cut", false), stepEnd("cut", "error"), heal("cut", true)])).toMatchObject({ ok: false, summary: expect.stringContaining("failed to inject") });
    expect(faultsHealed([inject("cut", false), stepEnd("cut", "skipped"), heal("cut", true)])).toMatchObject({ ok: true });
  });
  test("a skipped step's fault must still be healed", () => {
    expect(faultsHealed([inject("cut", false), stepEnd("cut", "skipped")])).toMatchObject({ ok: false, summary: expect.stringContaining("never healed") });
    expect(faultsHealed([inject("cut", false), stepEnd("cut", "skipped"), heal("cut", false)])).toMatchObject({ ok: false, summary: expect.stringContaining("healing fault 'cut'") });
  });
});
