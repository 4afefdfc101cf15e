import semver from "semver";

/** The components a scenario's `requires:` may constrain (the names). */
export const VERSIONED = ["patroni", "postgres", "etcd"] as const;
export type Versioned = (typeof VERSIONED)[number];
/** The report's Versions field for each (PostgreSQL is `postgresql` there). */
const VERSIONS_FIELD = { patroni: "patroni", postgres: "postgresql", etcd: "etcd" } as const;

/**
 * A version as Patroni, PostgreSQL and etcd print it, made comparable: "17.6 (Debian 17.6-1)"
 * -> 17.6.0, "3.0.2" -> 3.0.2, "15.14" -> 15.14.0. undefined when nothing version-like is there.
 */
export function comparableVersion(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return semver.coerce(text)?.version;
}

/** A parse error's text for a range, or undefined when semver accepts it. */
export function rangeError(range: string): string | undefined {
  if (typeof range !== "string" || !range.trim()) return "an empty version range";
  return semver.validRange(range) === null ? `'${range}' is not a version range (examples: ">=4.0", "3.0.x", ">=3.0 <4")` : undefined;
}

/** Whether a version satisfies a range ("4.0.7" and ">=4.0" -> true). Unknown versions never satisfy. */
export function satisfies(version: string | undefined, range: string): boolean {
  const v = comparableVersion(version);
  return v !== undefined && semver.satisfies(v, range);
}

/**
 * Why a scenario does not apply to the versions at hand, or undefined when every stated range
 * is satisfied. e.g. "requires patroni >=4.0; this lab runs patroni 3.0.2".
 */
export function unmetRequirements(
  requires: Partial<Record<Versioned, string>> | undefined,
  versions: Partial<Record<(typeof VERSIONS_FIELD)[Versioned], string>>,
): string | undefined {
  if (!requires) return undefined;
  const unmet: string[] = [];
  for (const k of VERSIONED) {
    const range = requires[k];
    if (range === undefined) continue;
    const have = versions[VERSIONS_FIELD[k]];
    if (!satisfies(have, range)) unmet.push(`requires ${k} ${range}; this lab runs ${k} ${have || "(unknown version)"}`);
  }
  return unmet.length ? unmet.join("; ") : undefined;
}
