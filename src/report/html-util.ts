/**
 * Small helpers for the HTML report: escaping, number formatting, scales and ticks. Pure
 * functions, no DOM.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Text or attribute value safe inside HTML/SVG (and well-formed XML: control characters such as
 * a log line's ANSI escapes are shown as "\x1b"). The entities are exactly those `redact`
 * knows (&amp; &lt; &gt; &quot; &apos;), so a secret escaped here is still found by it.
 */
export function esc(s: string | number | boolean | null | undefined): string {
  if (s === undefined || s === null) return "";
  return String(s)
    .replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** ` name="value"` pairs, escaped; undefined/null/false values are left out. */
export function attrs(a: Record<string, string | number | boolean | null | undefined>): string {
  let out = "";
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    out += v === true ? ` ${k}` : ` ${k}="${esc(v)}"`;
  }
  return out;
}

/** A coordinate with at most one decimal (keeps the SVG small). */
export function n1(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Object.is(r, -0) ? "0" : String(r);
}

/** `s` cut to `max` characters with an ellipsis. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** "1.2 MB", "512 B": bytes for people (powers of 1024, as PostgreSQL prints them). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || Number.isInteger(v) || v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "850 ms", "1.3 s". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Axis label for a history time: "+12s", "+1m30s" style kept short ("+90s"). */
export function axisLabel(ms: number): string {
  const s = ms / 1000;
  return `+${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

/** A tick step (ms) giving at most `maxTicks` ticks over `spanMs`. */
export function tickStep(spanMs: number, maxTicks = 20): number {
  const steps = [500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  for (const s of steps) if (spanMs / s <= maxTicks) return s;
  return Math.ceil(spanMs / maxTicks / 3_600_000) * 3_600_000;
}

/** Ticks at multiples of `step` within [from, to]. */
export function ticks(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to + 1e-9; t += step) out.push(t);
  return out;
}

/** A "nice" upper bound >= v for a linear axis (1, 2, 5 × 10^k). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export { naturalCompare } from "../util/natural-order.js";

/** Median of a list (NaN if empty). */
export function medianOf(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
