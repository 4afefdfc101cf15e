import semver from "semver";

/** The components a known issue (or an image) can be pinned to. */
export const VERSIONED_COMPONENTS = ["patroni", "postgresql", "etcd"] as const;
export type VersionedComponent = (typeof VERSIONED_COMPONENTS)[number];
export type VersionRanges = Partial<Record<VersionedComponent, string>>;

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

export interface RangeCheck {
  ok: boolean;
  /** One sentence per component that is out of range or unknown. */
  mismatches: string[];
}

/** Checks every range given against the versions of a run (components without a range always match). */
export function checkRanges(ranges: VersionRanges, versions: Partial<Record<VersionedComponent, string>>): RangeCheck {
  const mismatches: string[] = [];
  for (const c of VERSIONED_COMPONENTS) {
    const range = ranges[c];
    if (range === undefined) continue;
    const v = versions[c];
    if (!parseVersion(v)) mismatches.push(`${c} version unknown (needs ${range})`);
    else if (!inRange(v, range)) mismatches.push(`${c} ${v} is outside ${range}`);
  }
  return { ok: mismatches.length === 0, mismatches };
}
