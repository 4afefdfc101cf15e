/**
 * Units used in scenario files: durations (to milliseconds) and sizes (to bytes).
 *
 * Durations: a number with an optional unit `ms`, `s`, `m` or `h` — `"500ms"`, `"2s"`,
 * `"1.5s"`, `"2m"`, `"1h"`. A bare number (YAML `30`, or the string `"30"`) is seconds.
 * Where a signed duration is allowed (clock offsets, drift) a leading `+` or `-` is accepted:
 * `"-40s"`, `"+1.5s"`, `-40`. Results are rounded to whole milliseconds.
 *
 * Sizes follow PostgreSQL and Patroni: **1 kB = 1024 bytes, 1 MB = 1048576 bytes** (powers of
 * two), so `maximum_lag_on_failover: 1MB` means exactly what Patroni's own `1048576` means.
 * Units: `B`, `kB`/`KB`/`KiB`, `MB`/`MiB`, `GB`/`GiB`, `TB`/`TiB` (case as written here). A bare
 * integer (YAML `0`, `1048576`) is bytes. Fractions are allowed with a unit and rounded to
 * whole bytes (`"1.5kB"` = 1536).
 */

/** Unsigned duration as a string. Group 1: number, group 2: unit (optional = seconds). */
export const DURATION_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/;
/** Signed duration as a string. Group 1: sign, group 2: number, group 3: unit. */
export const SIGNED_DURATION_PATTERN = /^([+-])?(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h)?$/;
/** Size as a string. Group 1: number, group 2: unit (optional = bytes, then integer only). */
export const SIZE_PATTERN = /^(\d+(?:\.\d+)?|\.\d+) ?(B|kB|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?$/;

export const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export const SIZE_UNITS_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1024,
  KB: 1024,
  KiB: 1024,
  MB: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1024 ** 4,
  TiB: 1024 ** 4,
};

/**
 * Longest duration a scenario may state (24 h), signed or not. Node's timers take at most
 * 2^31-1 ms (about 24.8 days) and fire after 1 ms beyond that; 24 h stretched by the largest
 * time scale (20) still fits, and no chaos step needs more.
 */
export const MAX_DURATION_MS = 24 * 3_600_000;
export const MAX_DURATION_TEXT = "24h";

/** Human help shown when a duration does not parse. */
export const DURATION_HELP = "a duration is a number with a unit ms, s, m or h (500ms, 2s, 1.5s, 2m, 1h), or a bare number of seconds";
export const SIGNED_DURATION_HELP = "a signed duration is a number with an optional sign and a unit ms, s, m or h (-40s, +1.5s, 500ms), or a bare number of seconds";
export const SIZE_HELP = "a size is an integer number of bytes or a number with a unit B, kB, MB, GB, TB (1 MB = 1048576 bytes, as in PostgreSQL) or KiB, MiB, GiB, TiB";

/** Thrown by the parse functions; `message` is ready to show. */
export class UnitError extends Error {
  override name = "UnitError";
}

function show(value: unknown): string {
  return typeof value === "string" ? `'${value}'` : String(value);
}

/**
 * Parse a duration to milliseconds. Numbers are seconds. With `signed: false` (the default) a
 * negative value is an error.
 */
export function parseDuration(value: string | number, opts: { signed?: boolean } = {}): number {
  const signed = opts.signed ?? false;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new UnitError(`invalid duration ${show(value)}: ${signed ? SIGNED_DURATION_HELP : DURATION_HELP}`);
    if (!signed && value < 0) throw new UnitError(`invalid duration ${show(value)}: must not be negative`);
    return bounded(value, normZero(Math.round(value * 1000)));
  }
  const m = (signed ? SIGNED_DURATION_PATTERN : DURATION_PATTERN).exec(value.trim());
  if (!m) {
    const hint = !signed && /^[+-]/.test(value.trim()) ? "a signed duration is not allowed here; " : "";
    throw new UnitError(`invalid duration ${show(value)}: ${hint}${signed ? SIGNED_DURATION_HELP : DURATION_HELP}`);
  }
  const [sign, num, unit] = signed ? [m[1], m[2], m[3]] : [undefined, m[1], m[2]];
  const ms = Math.round(Number(num) * DURATION_UNITS_MS[unit ?? "s"]);
  return bounded(value, normZero(sign === "-" ? -ms : ms));
}

function bounded(value: string | number, ms: number): number {
  if (Math.abs(ms) > MAX_DURATION_MS) {
    throw new UnitError(`invalid duration ${show(value)}: longer than ${MAX_DURATION_TEXT}, the longest duration allowed (${MAX_DURATION_MS} ms)`);
  }
  return ms;
}

/** Parse a size to bytes (1 MB = 1048576). Numbers are bytes and must be whole. */
export function parseSize(value: string | number): number {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) throw new UnitError(`invalid size ${show(value)}: a bare number is bytes and must be a non-negative integer`);
    return value;
  }
  const m = SIZE_PATTERN.exec(value.trim());
  if (!m) throw new UnitError(`invalid size ${show(value)}: ${SIZE_HELP}`);
  const [, num, unit] = m;
  if (unit === undefined && !/^\d+$/.test(num)) throw new UnitError(`invalid size ${show(value)}: a size without a unit is bytes and must be an integer`);
  const bytes = Math.round(Number(num) * SIZE_UNITS_BYTES[unit ?? "B"]);
  if (!Number.isSafeInteger(bytes)) throw new UnitError(`invalid size ${show(value)}: too large`);
  return bytes;
}

function normZero(n: number): number {
  return n === 0 ? 0 : n; // no -0
}

/** Milliseconds as a short duration string that parseDuration reads back: 0s, 500ms, 1.5s, 90s, 2m, 1h, -40s. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return "0s";
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${trim(ms / 1000)}s`;
}

/** Bytes as a short human string with PostgreSQL units: 0B, 512B, 16kB, 1MB, 1.5GB. */
export function formatSize(bytes: number): string {
  const units: [string, number][] = [
    ["TB", 1024 ** 4],
    ["GB", 1024 ** 3],
    ["MB", 1024 ** 2],
    ["kB", 1024],
  ];
  for (const [u, f] of units) if (bytes >= f) return `${trim(bytes / f)}${u}`;
  return `${bytes}B`;
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
