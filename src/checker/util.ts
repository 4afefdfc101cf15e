import type { EventKind, EventOf, HistoryEvent } from "../history/events.js";

/** Events of one kind, sorted by `t` (stable), whatever order `events` is in. */
export function eventsOf<K extends EventKind>(events: readonly HistoryEvent[], kind: K): EventOf<K>[] {
  const out = events.filter((e): e is EventOf<K> => e.kind === kind);
  return out.sort((a, b) => a.t - b.t);
}


/** Sorted, de-duplicated integers as ranges: [120..135, 140] -> "120-135,140". */
export function compressRanges(values: Iterable<number>): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/** Median of a non-empty list (mean of the two middle values for even lengths); NaN if empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Index of the last element with key(x) <= v in an array sorted by key, or -1. */
export function lastAtOrBefore<T>(arr: readonly T[], v: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = arr.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(arr[mid]) <= v) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Index of the first element with key(x) >= v in an array sorted by key, or arr.length. */
export function firstAtOrAfter<T>(arr: readonly T[], v: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(arr[mid]) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Merge option objects: later ones win, undefined values are ignored. */
export function mergeOpts<T extends object>(...objs: (Partial<T> | object | undefined)[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const o of objs) {
    if (!o) continue;
    for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  }
  return out as Partial<T>;
}
