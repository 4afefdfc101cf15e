/**
 * Analysis of the recorded DCS endpoint samples (recorder/dcs-endpoint-sampler.ts): how long each
 * Patroni node stayed on an isolated etcd member. Pure functions of the history; the runner adds
 * the result to the report's notes and findings.
 */
import type { DcsEndpointSample, FaultEvent, HistoryEvent } from "../history/events.js";
import { naturalCompare } from "../util/natural-order.js";

/* ------------------------------------------------------------------------------------------ */
/* Time stuck on an isolated etcd member                                                      */

export interface NodeEndpointStay {
  node: string;
  /** Its current member was the isolated one when the fault began (first sample at or after injection). */
  onAtInject: boolean;
  /** Time the isolated member was its current member during the fault, ms (sum of sample intervals). */
  onMs: number;
  /** Longest continuous stretch on the isolated member during the fault, ms. */
  longestMs: number;
  /** Still on the isolated member at the heal (last sample before it). */
  onAtHeal: boolean;
  /** When it first moved from the isolated member to another during the fault, and to which. */
  leftAt?: number;
  movedTo?: string;
  /** Current members during the fault, in order of first use. */
  used: string[];
  samples: number;
}

export interface DcsEndpointStays {
  /** The fault step id. */
  id: string;
  member: string;
  from: number;
  /** Heal time, or the end of the record when no heal was recorded. */
  to: number;
  healed: boolean;
  nodes: NodeEndpointStay[];
}

/** A sample stands for at most this long (a gap in sampling is not counted as time on a member). */
const MAX_SAMPLE_SPAN_MS = 2000;

/**
 * Per `etcd-dns-break` fault in a recorded history: for each Patroni node, how long its current
 * DCS endpoint (DcsEndpointSample.current) was the isolated member while the fault was active.
 * Each sample stands for the interval until the node's next sample (at most 2 s). Pure function
 * of the history.
 */
export function dcsEndpointStays(events: readonly HistoryEvent[], faultType = "etcd-dns-break"): DcsEndpointStays[] {
  const faults = events.filter((e): e is FaultEvent => e.kind === "fault" && e.fault === faultType);
  const samples = events.filter((e): e is DcsEndpointSample => e.kind === "dcs-endpoint");
  const end = events.reduce((m, e) => Math.max(m, e.t), 0);
  const nodes = [...new Set(samples.map((s) => s.node))].sort(naturalCompare);
  const out: DcsEndpointStays[] = [];
  for (const inj of faults.filter((f) => f.phase === "inject" && f.ok)) {
    const heal = faults.find((f) => f.phase === "heal" && f.id === inj.id && f.t >= inj.t);
    const member = inj.targets[0];
    const from = inj.t;
    const to = heal?.t ?? end;
    const stays = nodes.map((node): NodeEndpointStay => {
      const inside = samples.filter((s) => s.node === node && !s.error && s.t >= from && s.t <= to).sort((a, b) => a.t - b.t);
      const stay: NodeEndpointStay = { node, onAtInject: inside[0]?.current === member, onMs: 0, longestMs: 0, onAtHeal: false, used: [], samples: inside.length };
      let run = 0;
      let wasOn = stay.onAtInject;
      inside.forEach((s, i) => {
        if (s.current && !stay.used.includes(s.current)) stay.used.push(s.current);
        const span = Math.min((inside[i + 1]?.t ?? to) - s.t, MAX_SAMPLE_SPAN_MS);
        if (s.current === member) {
          stay.onMs += span;
          run += span;
          stay.longestMs = Math.max(stay.longestMs, run);
          wasOn = true;
        } else {
          run = 0;
          if (s.current) {
            if (wasOn && stay.leftAt === undefined) {
              stay.leftAt = s.t;
              stay.movedTo = s.current;
            }
            wasOn = false;
          }
        }
      });
      stay.onAtHeal = !!heal && inside[inside.length - 1]?.current === member;
      return stay;
    });
    out.push({ id: inj.id, member, from, to, healed: !!heal, nodes: stays });
  }
  return out;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const at = (t: number) => `+${(t / 1000).toFixed(1)}s`;

/** One line per fault for people: "etcd-dns-break cut on e3 (+12.0s → +72.0s, 60.0 s): pg1 on e3 60.0 s ...". */
export function describeStays(s: DcsEndpointStays): string {
  const parts = s.nodes.map((n) => {
    if (!n.samples) return `${n.node}: no samples`;
    if (!n.onMs && !n.onAtInject) return `${n.node} not on ${s.member} (used ${n.used.join(", ") || "none"})`;
    let txt = `${n.node} on ${s.member} for ${sec(n.onMs)} (longest stretch ${sec(n.longestMs)})`;
    if (n.leftAt !== undefined) txt += `, moved to ${n.movedTo} at ${at(n.leftAt)} (${sec(n.leftAt - s.from)} after the fault)`;
    if (n.onAtHeal) txt += `, still on ${s.member} at the heal`;
    return txt;
  });
  return `DCS endpoints during etcd-dns-break '${s.id}' on ${s.member} (${at(s.from)} → ${at(s.to)}${s.healed ? "" : " (not healed)"}, ${sec(s.to - s.from)}): ${parts.join("; ")}.`;
}

/**
 * What the runner adds to a report about DCS endpoints: one note per etcd-dns-break fault with
 * the figures, and a finding when a Patroni node stayed on the isolated member longer than
 * `thresholdMs` (the runner passes retry_timeout + loop_wait: a request that fails makes
 * Patroni's etcd3 client try another member, and a loop runs at least every loop_wait).
 */
export function dcsEndpointReport(events: readonly HistoryEvent[], thresholdMs: number): { notes: string[]; findings: string[] } {
  const notes: string[] = [];
  const findings: string[] = [];
  for (const s of dcsEndpointStays(events)) {
    const text = describeStays(s);
    notes.push(text);
    const stuck = s.nodes.filter((n) => n.longestMs > thresholdMs);
    if (stuck.length) {
      findings.push(
        `${stuck.map((n) => `${n.node} stayed on the isolated etcd member ${s.member} for ${sec(n.longestMs)}`).join(", ")} ` +
          `(longer than retry_timeout + loop_wait = ${sec(thresholdMs)}), although the other members had quorum. ${text}`,
      );
    }
  }
  return { notes, findings };
}
