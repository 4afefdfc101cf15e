import type { EventKind, EventOf, HistoryEvent } from "./events.js";

/**
 * An append-only, time-ordered list of events. Appends come from the recorder, the workload
 * and the runner; readers (conditions, checkers, reports) get read-only views.
 */
export class History {
  private readonly events: HistoryEvent[] = [];
  private readonly listeners = new Set<(e: HistoryEvent) => void>();

  append(e: HistoryEvent): void {
    // Keep order by t even if a slow poll lands after a newer event.
    let i = this.events.length;
    while (i > 0 && this.events[i - 1].t > e.t) i--;
    this.events.splice(i, 0, e);
    for (const l of this.listeners) l(e);
  }

  onAppend(listener: (e: HistoryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  all(): readonly HistoryEvent[] {
    return this.events;
  }

  of<K extends EventKind>(kind: K): EventOf<K>[] {
    return this.events.filter((e): e is EventOf<K> => e.kind === kind);
  }

  /** The newest event of `kind` (optionally for one node) at or before `t`. */
  latest<K extends EventKind>(kind: K, pred?: (e: EventOf<K>) => boolean, t = Infinity): EventOf<K> | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.t > t || e.kind !== kind) continue;
      if (!pred || pred(e as EventOf<K>)) return e as EventOf<K>;
    }
    return undefined;
  }

  static from(events: readonly HistoryEvent[]): History {
    const h = new History();
    for (const e of events) h.append(e);
    return h;
  }
}
