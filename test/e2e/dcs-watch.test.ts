import { describe, expect, test } from "vitest";
import path from "node:path";
import { loadScenario } from "../../src/scenario/load.js";
import { runScenarioInput } from "../../src/runner/run-scenario.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { newRunId } from "../../src/lab/run-id.js";
import { readJournal } from "../../src/report/journal.js";
import type { EventOf, HistoryEvent } from "../../src/history/events.js";
import { assertHarnessInvariants } from "./scenario-harness.js";
import { quietProgress } from "./helpers.js";

// Checks pgchaos, not Patroni: the dcs action deleted the leader key (once, and said at which
// revision), and the etcd3 watch recorder saw that delete and the next put of the leader key,
// each with its revision, in revision order. Who took the key back is the scenario's verdict.
describe("dcs action and the DCS watch recorder", () => {
  test("deleting the leader key is recorded by the watch with its revision", async () => {
    const input = toRunInput(await loadScenario(path.resolve("scenarios/dcs-leader-key-deleted.yaml")));
    const result = await runScenarioInput(input, { reportsDir: path.resolve("reports", `e2e-${newRunId()}`), timeScale: 1.5, progress: quietProgress });
    process.stderr.write(`  ${result.report.outcome}; ${result.report.steps.map((s) => `${s.id}:${s.outcome}`).join(" ")}; report ${result.dir}\n`);
    await assertHarnessInvariants(input, result);

    const events = readJournal(path.join(result.dir, "journal.jsonl")).events as HistoryEvent[];
    const action = events.find((e): e is EventOf<"action"> => e.kind === "action" && e.action === "dcs");
    expect(action?.ok, action?.error).toBe(true);
    // The body's first line is the action's own; Patroni's log lines of that moment follow it.
    const m = /^deleted leader \(was (\S+), mod revision (\d+)\) at revision (\d+) via (e\d+)$/.exec((action!.body ?? "").split("\n")[0]);
    expect(m, action!.body).not.toBeNull();
    const [, holder, heldSince, deletedAt] = m!;

    const watch = events.filter((e): e is EventOf<"dcs-watch"> => e.kind === "dcs-watch");
    const status = events.filter((e): e is EventOf<"dcs-watch-status"> => e.kind === "dcs-watch-status");
    expect(status[0]).toMatchObject({ state: "connected", member: "e3" });
    expect(watch.length).toBeGreaterThan(5);
    // One stream from one member: revisions never go back, and each change's mod revision is
    // at most its response's revision.
    for (let i = 1; i < watch.length; i++) expect(watch[i].modRevision).toBeGreaterThanOrEqual(watch[i - 1].modRevision);
    for (const w of watch) expect(w.modRevision).toBeLessThanOrEqual(w.revision);
    expect(new Set(watch.map((w) => w.member))).toEqual(new Set(["e3"]));
    // Patroni's own keys went by too (member keys are written every loop_wait).
    expect(watch.some((w) => w.key.startsWith("members/") && w.type === "put")).toBe(true);

    const del = watch.find((w) => w.key === "leader" && w.type === "delete");
    expect(del, "the watch saw the leader key's delete").toBeDefined();
    expect(del!.modRevision).toBe(Number(deletedAt));
    expect(del!.previous).toBe(holder);
    expect(del!.t).toBeGreaterThanOrEqual(action!.t);
    expect(Number(heldSince)).toBeLessThan(del!.modRevision);
    // The next leader key, whoever holds it: a put after the delete, with a later revision,
    // and the poll saw the same holder afterwards.
    const put = watch.find((w) => w.key === "leader" && w.type === "put" && w.modRevision > del!.modRevision);
    expect(put, "the watch saw the leader key put again").toBeDefined();
    expect(put!.lease).toBe(true);
    expect(watch.indexOf(put!)).toBeGreaterThan(watch.indexOf(del!));
    const polled = events.filter((e): e is EventOf<"dcs"> => e.kind === "dcs" && e.reachable && e.t > put!.t + 500)[0];
    expect(polled?.leader).toBe(put!.value);
  }, 600_000);
});
