/**
 * Secrets (the run's generated passwords) must never reach a report, a journal or a summary.
 * Everything pgchaos writes under reports/ goes through `redact` (text) or `redactDeep`
 * (structured data before serialisation).
 */

export const REDACTED = "[REDACTED]";

/** Forms a secret may take inside a string we write: raw, JSON-, XML-, URL-escaped. */
function variants(secret: string): string[] {
  const v = new Set<string>([secret]);
  v.add(JSON.stringify(secret).slice(1, -1));
  v.add(secret.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;"));
  v.add(encodeURIComponent(secret));
  v.add(secret.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`)); // markdown-escaped
  return [...v];
}

const cache = new WeakMap<readonly string[], RegExp | null>();

function patternFor(secrets: readonly string[]): RegExp | null {
  const hit = cache.get(secrets);
  if (hit !== undefined) return hit;
  // Empty strings would match everywhere; they are not secrets.
  const all = [...new Set(secrets.filter((s) => typeof s === "string" && s.length > 0).flatMap(variants))];
  // Longest first, so that a secret containing another is replaced whole.
  all.sort((a, b) => b.length - a.length);
  const re = all.length ? new RegExp(all.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g") : null;
  cache.set(secrets, re);
  return re;
}

/** `text` with every occurrence of each secret (and its escaped forms) replaced by [REDACTED]. */
export function redact(text: string, secrets: readonly string[]): string {
  const re = patternFor(secrets);
  if (!re) return text;
  re.lastIndex = 0;
  return text.replace(re, REDACTED);
}

/** A deep copy of `value` with `redact` applied to every string (keys included). */
export function redactDeep<T>(value: T, secrets: readonly string[]): T {
  if (!patternFor(secrets)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[redact(k, secrets)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
