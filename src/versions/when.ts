import { checkRanges, VERSIONED, type RunVersions, type VersionRanges } from "./range.js";

/** A step's `when:` as parsed: version ranges, and why the versions differ there. */
export type When = VersionRanges & { because?: string };

/** "patroni >=4.0, etcd 3.5.x" */
export function whenText(w: When): string {
  return VERSIONED.filter((c) => w[c] !== undefined)
    .map((c) => `${c} ${w[c]}`)
    .join(", ");
}

/** Which branch of a `when:` applied in a run, and why (for the report). */
export interface WhenDecision {
  applies: boolean;
  /** "applies: patroni 4.0.7 is in >=4.0 (Patroni 4 raises ttl below 20 to 20)" */
  text: string;
}

/** Resolves a `when:` against the versions read from the run's image. */
export function decideWhen(w: When, versions: RunVersions): WhenDecision {
  const r = checkRanges(w, versions);
  const because = w.because ? ` (${w.because})` : "";
  return r.ok
    ? { applies: true, text: `applies: ${r.matches.join(", ")}${because}` }
    : { applies: false, text: `not run: ${r.mismatches.join("; ")}${because}` };
}

/** The note a run records for a step's `when:`; the report's findings are read back from these notes. */
export const WHEN_NOTE_PREFIX = "when: ";

/** The report's findings about `when:` branches: the notes the runner recorded, in step order. */
export function whenFindings(events: readonly { kind: string; text?: string }[]): string[] {
  return events.filter((e) => e.kind === "note" && typeof e.text === "string" && e.text.startsWith(WHEN_NOTE_PREFIX)).map((e) => e.text!);
}
