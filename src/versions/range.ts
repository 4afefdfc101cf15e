import semver from "semver";

/**
 * The components a version range can name (`requires:`, `when:`, a known issue's `versions:`):
 * one name each. A run's versions (report.json `versions`, read from the image) call PostgreSQL
 * `postgresql`; that record keeps its field names, and `versionOf` reads it by component.
 */
export const VERSIONED = ["patroni", "postgres", "etcd"] as const;
export type Versioned = (typeof VERSIONED)[number];
export type VersionRanges = Partial<Record<Versioned, string>>;

/** A run's versions as the report records them. */
export type RunVersions = Partial<Record<"patroni" | "postgresql" | "etcd", string>>;

/**
 * Other names users could have written for a component: known-issue files were written with
 * `postgresql:` before the names were one. Accepted there only, and read as the component.
 */
export const COMPONENT_ALIASES: Readonly<Record<string, Versioned>> = { postgresql: "postgres" };

const VERSIONS_FIELD = { patroni: "patroni", postgres: "postgresql", etcd: "etcd" } as const satisfies Record<Versioned, keyof RunVersions>;

/** The version of one component in a run's versions. */
export function versionOf(versions: RunVersions, c: Versioned): string | undefined {
  return versions[VERSIONS_FIELD[c]];
}

/**
 * A version as the lab reports it ("3.0.2", "15.5 (Debian 15.5-0+deb12u1)", "3.5.9") as a
 * semver version, or null when it has none. PostgreSQL's two-part versions become x.y.0.
 */
export function parseVersion(v: string | undefined): semver.SemVer | null {
  if (!v || v === "unknown") return null;
  return semver.coerce(v);
}

/** Whether `range` is a valid semver range (">=3.0.0 <3.1.0", "3.0.x", "^15"). */
export function isValidRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

/** Whether `version` lies in `range`; false when the version cannot be read. */
export function inRange(version: string | undefined, range: string): boolean {
  const v = parseVersion(version);
  return v !== null && semver.satisfies(v, range);
}

/** Whether two valid ranges share no version (two `when:` branches that can never both apply). */
export function rangesDisjoint(a: string, b: string): boolean {
  return !semver.intersects(a, b);
}

export interface RangeCheck {
  ok: boolean;
  /** One sentence per component that is out of range or unknown. */
  mismatches: string[];
  /** One sentence per component that is in range ("patroni 4.0.7 is in >=4.0"). */
  matches: string[];
}

/** Checks every range given against the versions of a run (components without a range always match). */
export function checkRanges(ranges: VersionRanges, versions: RunVersions): RangeCheck {
  const mismatches: string[] = [];
  const matches: string[] = [];
  for (const c of VERSIONED) {
    const range = ranges[c];
    if (range === undefined) continue;
    const v = versionOf(versions, c);
    if (!parseVersion(v)) mismatches.push(`${c} version unknown (needs ${range})`);
    else if (!inRange(v, range)) mismatches.push(`${c} ${v} is outside ${range}`);
    else matches.push(`${c} ${v} is in ${range}`);
  }
  return { ok: mismatches.length === 0, mismatches, matches };
}

/**
 * A version as Patroni, PostgreSQL and etcd print it, made comparable: "17.6 (Debian 17.6-1)"
 * -> 17.6.0, "3.0.2" -> 3.0.2, "15.14" -> 15.14.0. undefined when nothing version-like is there.
 */
export function comparableVersion(text: string | undefined): string | undefined {
  return parseVersion(text)?.version;
}

/** A parse error's text for a range, or undefined when semver accepts it. */
export function rangeError(range: string): string | undefined {
  if (typeof range !== "string" || !range.trim()) return "an empty version range";
  return !isValidRange(range) ? `'${range}' is not a version range (examples: ">=4.0", "3.0.x", ">=3.0 <4")` : undefined;
}

/** Whether a version satisfies a range ("4.0.7" and ">=4.0" -> true). Unknown versions never satisfy. */
export function satisfies(version: string | undefined, range: string): boolean {
  return inRange(version, range);
}

/**
 * Why a scenario does not apply to the versions at hand, or undefined when every stated range
 * is satisfied. e.g. "requires patroni >=4.0; this lab runs patroni 3.0.2".
 */
export function unmetRequirements(requires: VersionRanges | undefined, versions: RunVersions): string | undefined {
  if (!requires) return undefined;
  const unmet: string[] = [];
  for (const k of VERSIONED) {
    const range = requires[k];
    if (range === undefined) continue;
    const have = versionOf(versions, k);
    if (!satisfies(have, range)) unmet.push(`requires ${k} ${range}; this lab runs ${k} ${have || "(unknown version)"}`);
  }
  return unmet.length ? unmet.join("; ") : undefined;
}
