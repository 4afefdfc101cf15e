/**
 * "Who is primary" and "who is leader", decided from the recorded history by one set of rules.
 * The workload, conditions, `leader@step` references and the runner's settle wait all ask here,
 * so they cannot disagree about the same moment. Reads the history only.
 *
 * - The **leader** is the holder of the DCS leader key in the newest readable DCS sample.
 * - The **primary** is a node whose newest sample says PostgreSQL accepts writes; when several
 *   do (a split brain as recorded), the DCS leader among them, else the first by name.
 */
import type { History } from "./history.js";
import type { DcsSample, NodeSample } from "./events.js";

/** Which samples describe the moment asked about: taken at or before `at`, and not before `since`. */
export interface SampleWindow {
  /** The moment (history axis); default: the newest sample. */
  at?: number;
  /** Samples older than this do not describe the moment (e.g. the start of an expect step). */
  since?: number;
}

const inWindow = <S extends { t: number }>(s: S | undefined, w: SampleWindow): S | undefined =>
  s && (w.since === undefined || s.t >= w.since) ? s : undefined;

/** A node's newest sample in the window. */
export function nodeSampleAt(history: History, node: string, w: SampleWindow = {}): NodeSample | undefined {
  return inWindow(
    history.latest("node", (s) => s.node === node, w.at),
    w,
  );
}

/** The newest DCS sample of the window that could read the DCS. */
export function dcsSampleAt(history: History, w: SampleWindow = {}): DcsSample | undefined {
  return inWindow(
    history.latest("dcs", (d) => d.reachable, w.at),
    w,
  );
}

/** Holder of the DCS leader key in the newest readable DCS sample of the window; null when that sample has no leader; undefined when there is no readable sample. */
export function dcsLeaderAt(history: History, w: SampleWindow = {}): string | null | undefined {
  return dcsSampleAt(history, w)?.leader;
}

/** Nodes whose newest sample in the window says PostgreSQL accepts writes, in the order given. */
export function writableAt(history: History, nodes: readonly string[], w: SampleWindow = {}): string[] {
  return nodes.filter((n) => nodeSampleAt(history, n, w)?.writable);
}

/** The primary: the writable node (the DCS leader when several are writable, else the first by name). */
export function primaryAt(history: History, nodes: readonly string[], w: SampleWindow = {}): string | undefined {
  const writable = writableAt(history, nodes, w);
  if (writable.length <= 1) return writable[0];
  const leader = dcsLeaderAt(history, w);
  return leader && writable.includes(leader) ? leader : writable[0];
}

/** The leader: the DCS leader key's holder; when the DCS has no leader or could not be read, the primary. */
export function leaderAt(history: History, nodes: readonly string[], w: SampleWindow = {}): string | undefined {
  return dcsLeaderAt(history, w) ?? primaryAt(history, nodes, w);
}

/**
 * Where a client sends a write now: the primary, or, while none accepts writes yet, the leader
 * (the node about to accept them).
 */
export function writeTarget(history: History, nodes: readonly string[], w: SampleWindow = {}): string | undefined {
  return primaryAt(history, nodes, w) ?? leaderAt(history, nodes, w);
}

/** The last holder of the leader key any readable DCS sample named, however old (for `leader@step` when the key was absent at that moment). */
export function lastKnownLeaderAt(history: History, w: SampleWindow = {}): string | undefined {
  return inWindow(
    history.latest("dcs", (d) => d.reachable && d.leader !== null, w.at),
    w,
  )?.leader ?? undefined;
}
