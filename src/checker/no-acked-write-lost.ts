import type { HistoryEvent, WriteOp } from "../history/events.js";
import type {
  Checker,
  Evidence,
  FinalReadEvidence,
  GhostWriteEvidence,
  LostWriteEvidence,
  LostWritesEvidence,
  Verdict,
} from "./checker.js";
import { compressRanges, eventsOf, mergeOpts } from "./util.js";
import { formatT } from "../util/time.js";

/**
 * no-acked-write-lost: every write the client was told succeeded (WriteOp outcome "ok") must be
 * present on the final primary.
 *
 * The reference is the FinalRead with `primary: true` (the latest one if several). Without one,
 * or if it carries an error, the verdict is unknown (not ok): we cannot tell.
 *
 * - **lost**: a seq with an ok WriteOp that is absent from the reference. Fails the check.
 * - **ghost**: a seq present on the reference whose only outcomes were `fail` (the client was
 *   told it failed, yet it committed). An anomaly: fails the check.
 * - **unknown** outcomes (timeouts, connection broken mid-commit) may or may not have
 *   committed; either is fine. Counted in the figures only.
 * - Seqs on the reference that no WriteOp ever attempted are counted as `unexpected`.
 */
export interface NoAckedWriteLostOptions {
  /** At most this many per-seq evidence items (lost-write, ghost-write) each. Default 100. */
  maxItems?: number;
}

const NAME = "no-acked-write-lost";

export function noAckedWriteLost(defaults?: NoAckedWriteLostOptions): Checker {
  return {
    name: NAME,
    check(events: readonly HistoryEvent[], opts?: object): Verdict {
      const o = mergeOpts<NoAckedWriteLostOptions>(defaults, opts);
      return checkLost(events, o.maxItems ?? 100);
    },
  };
}

function checkLost(events: readonly HistoryEvent[], maxItems: number): Verdict {
  const writes = eventsOf(events, "write");
  const reads = eventsOf(events, "final-read");
  const refs = reads.filter((r) => r.primary);
  const ref = refs[refs.length - 1];

  const readEvidence: FinalReadEvidence[] = reads.map((r) => ({
    type: "final-read",
    message:
      `Final read on ${r.node}${r.primary ? " (final primary, the reference)" : ""} at ${formatT(r.t)}: ` +
      (r.error ? `failed: ${r.error}` : `${r.seqs.length} seqs`),
    node: r.node,
    primary: r.primary,
    t: r.t,
    seqCount: r.seqs.length,
    ...(r.error !== undefined ? { error: r.error } : {}),
  }));

  const bySeq = new Map<number, WriteOp[]>();
  for (const w of writes) {
    let l = bySeq.get(w.seq);
    if (!l) bySeq.set(w.seq, (l = []));
    l.push(w);
  }
  const outcomes = (seq: number) => (bySeq.get(seq) ?? []).map((w) => w.outcome);
  const acked = [...bySeq.keys()].filter((s) => outcomes(s).includes("ok"));
  const baseFigures = {
    writes: writes.length,
    acked: acked.length,
    failed: [...bySeq.keys()].filter((s) => outcomes(s).every((o) => o === "fail")).length,
    unknown: [...bySeq.keys()].filter((s) => !outcomes(s).includes("ok") && outcomes(s).includes("unknown")).length,
  };

  if (!ref || ref.error !== undefined) {
    return {
      checker: NAME,
      ok: false,
      unknown: true,
      summary: !ref ? "no final read" : `final read on ${ref.node} failed: ${ref.error}`,
      evidence: [
        {
          type: "note",
          message: !ref
            ? "No FinalRead with primary=true in the history: whether acknowledged writes survived is unknown."
            : `The final read on the final primary ${ref.node} failed, so whether acknowledged writes survived is unknown.`,
        },
        ...readEvidence,
      ],
      figures: baseFigures,
    };
  }

  const present = new Set(ref.seqs);
  const others = reads.filter((r) => r !== ref && !r.error).map((r) => ({ node: r.node, seqs: new Set(r.seqs) }));

  const lost = acked.filter((s) => !present.has(s)).sort((a, b) => a - b);
  const ghosts = [...bySeq.keys()]
    .filter((s) => present.has(s) && outcomes(s).every((o) => o === "fail"))
    .sort((a, b) => a - b);
  const unknownSeqs = [...bySeq.keys()].filter((s) => !outcomes(s).includes("ok") && outcomes(s).includes("unknown"));
  const unknownPresent = unknownSeqs.filter((s) => present.has(s)).length;
  const unexpected = [...present].filter((s) => !bySeq.has(s));

  const evidence: Evidence[] = [];
  if (lost.length > 0) {
    const ranges = compressRanges(lost);
    evidence.push({
      type: "lost-writes",
      message: `${lost.length} acknowledged write${lost.length > 1 ? "s are" : " is"} missing on the final primary ${ref.node}: ${ranges}.`,
      node: ref.node,
      seqs: ranges,
      count: lost.length,
    } satisfies LostWritesEvidence);
    for (const seq of lost.slice(0, maxItems)) {
      const w = bySeq.get(seq)!.find((x) => x.outcome === "ok")!;
      const presentOn = others.filter((o) => o.seqs.has(seq)).map((o) => o.node);
      evidence.push({
        type: "lost-write",
        message:
          `Write ${seq} was acknowledged ${w.via === "haproxy" ? "through HAProxy" : `by ${w.node ?? "?"}`} at ${formatT(w.tEnd)} ` +
          `(invoked ${formatT(w.t)}) and is missing on ${ref.node}` +
          (presentOn.length ? `; still present on ${presentOn.join(", ")}.` : "."),
        seq,
        node: w.node,
        via: w.via,
        invokedAt: w.t,
        completedAt: w.tEnd,
        presentOn,
      } satisfies LostWriteEvidence);
    }
    if (lost.length > maxItems)
      evidence.push({ type: "note", message: `${lost.length - maxItems} more lost writes not itemised.` });
  }
  if (ghosts.length > 0) {
    const ranges = compressRanges(ghosts);
    evidence.push({
      type: "ghost-writes",
      message: `${ghosts.length} write${ghosts.length > 1 ? "s" : ""} reported as failed to the client ${ghosts.length > 1 ? "are" : "is"} present on ${ref.node}: ${ranges}.`,
      node: ref.node,
      seqs: ranges,
      count: ghosts.length,
    } satisfies LostWritesEvidence);
    for (const seq of ghosts.slice(0, maxItems)) {
      const w = bySeq.get(seq)!.at(-1)!;
      evidence.push({
        type: "ghost-write",
        message:
          `Write ${seq} sent to ${w.node ?? "no node"} (via ${w.via}) at ${formatT(w.t)} was reported failed at ` +
          `${formatT(w.tEnd)}${w.error ? ` (${w.error})` : ""}, yet it is present on ${ref.node}.`,
        seq,
        node: w.node,
        via: w.via,
        invokedAt: w.t,
        completedAt: w.tEnd,
        ...(w.error !== undefined ? { error: w.error } : {}),
      } satisfies GhostWriteEvidence);
    }
    if (ghosts.length > maxItems)
      evidence.push({ type: "note", message: `${ghosts.length - maxItems} more ghost writes not itemised.` });
  }
  if (unexpected.length > 0)
    evidence.push({
      type: "note",
      message: `${unexpected.length} seqs on ${ref.node} were never attempted by this run's workload: ${compressRanges(unexpected)}.`,
    });
  evidence.push(...readEvidence);

  const ok = lost.length === 0 && ghosts.length === 0;
  const figures = {
    ...baseFigures,
    finalReadSeqs: present.size,
    lost: lost.length,
    ghost: ghosts.length,
    unknownPresent,
    unknownAbsent: unknownSeqs.length - unknownPresent,
    unexpected: unexpected.length,
  };
  const indeterminate = `${unknownSeqs.length} indeterminate (${unknownPresent} present, ${unknownSeqs.length - unknownPresent} absent)`;
  let summary: string;
  if (ok) {
    summary = `all ${acked.length} acknowledged writes present on the final primary ${ref.node}; ${indeterminate}`;
  } else {
    const parts: string[] = [];
    if (lost.length) parts.push(`${lost.length} of ${acked.length} acknowledged writes lost on ${ref.node} (${truncate(compressRanges(lost), 80)})`);
    if (ghosts.length) parts.push(`${ghosts.length} ghost write${ghosts.length > 1 ? "s" : ""} (reported failed, yet committed: ${truncate(compressRanges(ghosts), 80)})`);
    summary = `${parts.join("; ")}; ${indeterminate}`;
  }
  return { checker: NAME, ok, summary, evidence, figures };
}

function truncate(s: string, n: number): string {
  if (s.length <= n) return s;
  const cut = s.lastIndexOf(",", n);
  return `${s.slice(0, cut > 0 ? cut : n)},…`;
}
