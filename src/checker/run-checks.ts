/**
 * Checks of the run itself, judged like the invariants on the recorded history: did the cluster
 * settle, were the faults healed, was the lab removed, and (with etcd-dns-break) did Patroni
 * leave an isolated etcd member in time. They are always judged, whatever the scenario lists,
 * so a report has one list of verdicts.
 */
import type { FaultEvent, HistoryEvent, SettleEvent, TeardownEvent } from "../history/events.js";
import { dcsEndpointReport } from "../analysis/dcs-endpoint.js";
import type { Verdict } from "./checker.js";

const sec = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const note = (message: string) => ({ type: "note" as const, message });

export function clusterSettled(events: readonly HistoryEvent[]): Verdict {
  const s = events.find((e): e is SettleEvent => e.kind === "settle");
  if (!s) return { checker: "cluster-settled", ok: false, unknown: true, summary: "The run ended before the settle phase: whether the cluster converged is unknown.", evidence: [] };
  return s.ok
    ? { checker: "cluster-settled", ok: true, summary: `The cluster settled: leader ${s.leader} and every replica streaming.`, evidence: [], figures: { budgetMs: s.budgetMs } }
    : {
        checker: "cluster-settled",
        ok: false,
        summary: `The cluster did not converge (a leader and every replica streaming) within settle time ${sec(s.budgetMs)} after the last step.`,
        evidence: [note(`No writable leader with every other node streaming was recorded between +${((s.t - s.budgetMs) / 1000).toFixed(1)}s and +${(s.t / 1000).toFixed(1)}s.`)],
        figures: { budgetMs: s.budgetMs },
      };
}

export function faultsHealed(events: readonly HistoryEvent[]): Verdict {
  const faults = events.filter((e): e is FaultEvent => e.kind === "fault");
  const injected = faults.filter((f) => f.phase === "inject");
  // A step whose error the scenario accepted (on_error: continue): its fault's failed inject is
  // recorded, not a problem; what it may have set up half-way is still healed like any fault.
  const skipped = new Set(events.filter((e) => e.kind === "step" && e.phase === "end" && e.outcome === "skipped").map((e) => (e as { id: string }).id));
  const problems: string[] = [];
  for (const f of injected) {
    const heals = faults.filter((h) => h.phase === "heal" && h.id === f.id);
    if (!f.ok && !skipped.has(f.id)) problems.push(`fault '${f.id}' (${f.fault}) failed to inject${f.error ? `: ${f.error}` : ""}`);
    if (!heals.length) problems.push(`fault '${f.id}' (${f.fault} on ${f.targets.join(", ")}) was never healed`);
    else if (!heals.some((h) => h.ok)) problems.push(`healing fault '${f.id}' (${f.fault}) failed: ${heals.map((h) => h.error ?? "error").join("; ")}`);
  }
  return problems.length
    ? { checker: "faults-healed", ok: false, summary: `${problems.length} fault problem(s): ${problems[0]}`, evidence: problems.map(note), figures: { faults: injected.length } }
    : { checker: "faults-healed", ok: true, summary: `Every fault (${injected.length}) was injected and healed.`, evidence: [], figures: { faults: injected.length } };
}

export function labTeardown(events: readonly HistoryEvent[]): Verdict {
  const t = events.find((e): e is TeardownEvent => e.kind === "teardown");
  if (!t) return { checker: "lab-teardown", ok: false, unknown: true, summary: "No teardown was recorded (the journal ends before it).", evidence: [] };
  return t.ok
    ? { checker: "lab-teardown", ok: true, summary: "The lab was removed.", evidence: [], figures: { durationMs: t.durationMs } }
    : { checker: "lab-teardown", ok: false, summary: `Removing the lab failed: ${t.error ?? "error"}`, evidence: [note(`teardown failed: ${t.error ?? "error"}`)], figures: { durationMs: t.durationMs } };
}

/**
 * Incident 2: with an etcd member isolated (etcd-dns-break), each Patroni node should move to
 * another member within retry_timeout + loop_wait (a failed request makes its etcd3 client try
 * another member; a loop runs at least every loop_wait). Undefined without such a fault.
 */
export function dcsEndpointFailover(events: readonly HistoryEvent[], thresholdMs: number): Verdict | undefined {
  if (!events.some((e) => e.kind === "fault" && e.fault === "etcd-dns-break" && e.phase === "inject")) return undefined;
  const r = dcsEndpointReport(events, thresholdMs);
  return r.findings.length
    ? { checker: "dcs-endpoint-failover", ok: false, summary: r.findings[0].split(". ")[0] + ".", evidence: [...r.findings, ...r.notes].map(note), figures: { thresholdMs } }
    : { checker: "dcs-endpoint-failover", ok: true, summary: `Every node left the isolated etcd member within retry_timeout + loop_wait = ${sec(thresholdMs)}.`, evidence: r.notes.map(note), figures: { thresholdMs } };
}

/** Names of the run checks (not listed in scenarios). */
export const RUN_CHECK_NAMES = ["cluster-settled", "faults-healed", "lab-teardown", "dcs-endpoint-failover"] as const;
