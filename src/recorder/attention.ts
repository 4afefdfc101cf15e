import type { DcsWatchEvent, HistoryEvent } from "../history/events.js";

/** How long the recorder keeps looking closely after the last change it saw. */
export const ATTENTION_HOLD_MS = 5000;

/**
 * When the recorder looks closely. The cheap reading (each node's PostgreSQL over a kept
 * connection) is taken every interval whatever happens; the dear ones (Patroni's REST API, which
 * answers each GET with a thread and a query of its own; the DCS keys, a linearizable read that
 * costs etcd a ReadIndex round; the socket tables) only as often as their resting interval,
 * except within ATTENTION_HOLD_MS of a change: a node's or the DCS's state changing in a sample,
 * a DCS key changing in the watch, a fault injected or healed, an action, a step beginning. Changes come in bursts (a demotion, an election, a promotion), so the close look
 * covers the whole burst, and a steady lab is not kept busy answering its observer.
 */
export class Attention {
  private until = -Infinity;

  constructor(private readonly holdMs = ATTENTION_HOLD_MS) {}

  /** Something changed at `t`: look closely until `t + holdMs`. */
  raise(t: number): void {
    this.until = Math.max(this.until, t + this.holdMs);
  }

  /**
   * The runner's own doings (faults, actions, steps) raise attention as they are recorded, and so
   * does every change of a DCS key the watch delivers (a push: the leader key's expiry is seen
   * when it happens, not at the next resting poll).
   */
  observe(e: HistoryEvent): void {
    if (e.kind === "fault" || e.kind === "action" || (e.kind === "step" && e.phase === "start")) this.raise(e.t);
    else if (e.kind === "dcs-watch" && this.keyChanged(e)) this.raise(e.t);
  }

  private readonly keys = new Map<string, string | undefined>();

  /**
   * Patroni writes its keys every loop (the leader key's lease, each member's WAL position, the
   * status key's optimes): a write that changes nothing but those is no change.
   */
  private keyChanged(e: DcsWatchEvent): boolean {
    if (/^(status|failsafe|optime\/)/.test(e.key)) return false;
    // A member key's summary is "role state xlog N tl N" (dcs-watch-recorder.ts): its role and state.
    const meaning = e.type === "delete" ? undefined : e.key.startsWith("members/") ? (e.value ?? "").split(" xlog ")[0] : (e.value ?? "");
    const changed = !this.keys.has(e.key) || this.keys.get(e.key) !== meaning;
    this.keys.set(e.key, meaning);
    return changed;
  }

  closely(t: number): boolean {
    return t < this.until;
  }
}

/**
 * Whether a reading is due: always while attention is raised, else once `restingMs` has passed
 * since the last one.
 */
export function due(attention: Attention, t: number, last: number | undefined, restingMs: number): boolean {
  return attention.closely(t) || last === undefined || t - last >= restingMs;
}
