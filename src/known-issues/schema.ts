import { z } from "zod";
import { duration, STEP_ID_PATTERN } from "../scenario/primitives.js";
import semver from "semver";
import { COMPONENT_ALIASES, isValidRange, VERSIONED, type Versioned, type VersionRanges } from "../versions/range.js";

const versionRange = (component: string) =>
  z
    .string()
    .refine(isValidRange, { error: (iss) => `invalid version range ${JSON.stringify(iss.input)}: use a semver range such as ">=3.0.0 <3.1.0" or "3.0.x"` })
    .describe(`Versions of ${component} the issue applies to (a semver range, e.g. ">=3.0.0 <3.1.0").`);

const regex = z
  .string()
  .min(1)
  .refine(
    (s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    },
    { error: (iss) => `invalid regular expression ${JSON.stringify(iss.input)}` },
  );

const evidence = z
  .strictObject({
    matches: regex.describe("Regular expression a recorded log line must match."),
    node: z
      .string()
      .regex(/^(?:any|pg[1-9][0-9]*|e[1-9][0-9]*|haproxy)$/, { error: "node is 'any' or a node name (pg1, e2, haproxy)" })
      .default("any")
      .describe("Whose log: a node name (pg1, e2, haproxy) or 'any' (default)."),
    near_failure: duration("The line must lie within this time of a covered failure (optional; without it anywhere in the run).").optional(),
    not_followed_by: regex
      .optional()
      .describe(
        "A state rather than a moment: the line counts only if no later line of the same node matches this before the covered failure ended (e.g. primary_conninfo removed and not set again).",
      ),
  })
  .describe("A log line that must appear in the recorded history for the known issue to be recognised.");

/** One known issue, as written in a scenario's `known_issues:` (scenario implied) or a shared file. */
export const knownIssueSchema = z
  .strictObject({
    id: z.string().regex(STEP_ID_PATTERN, { error: "id: lowercase letters, digits, '-' and '_'" }).describe("Identifier of the known issue."),
    summary: z.string().min(1).describe("What Patroni (or etcd, PostgreSQL) does instead of the documented behaviour."),
    scenario: z.string().min(1).optional().describe("Scenario name the issue applies to (omitted inside a scenario: that scenario)."),
    covers: z
      .strictObject({
        steps: z.array(z.string().regex(STEP_ID_PATTERN)).optional().describe("Ids of expect (or action) steps whose failure the issue explains."),
        checkers: z.array(z.string().min(1)).optional().describe("Invariant or checker names whose failure the issue explains."),
      })
      .refine((c) => (c.steps?.length ?? 0) + (c.checkers?.length ?? 0) > 0, { error: "covers names at least one step or checker" })
      .describe("Which failures the issue explains."),
    versions: z
      .strictObject({
        ...(Object.fromEntries([...VERSIONED, ...Object.keys(COMPONENT_ALIASES)].map((c) => [c, versionRange(c).optional()])) as Record<string, z.ZodOptional<z.ZodString>>),
      })
      .superRefine((v, ctx) => {
        for (const [alias, c] of Object.entries(COMPONENT_ALIASES))
          if (v[alias] !== undefined && v[c] !== undefined) ctx.addIssue({ code: "custom", path: [alias], input: v[alias], message: `${alias} is another name for ${c}: give one of them` });
      })
      .refine((v) => Object.values(v).some((x) => x !== undefined), { error: `versions names at least one range (${VERSIONED.join(", ")})` })
      // One name per component from here on (postgresql: is read as postgres:).
      .transform((v): VersionRanges => {
        const out: VersionRanges = {};
        for (const [k, r] of Object.entries(v)) if (r !== undefined) out[COMPONENT_ALIASES[k] ?? (k as keyof VersionRanges)] = r;
        return out;
      })
      .describe("Version ranges the issue is known on (patroni, postgres, etcd; postgresql is accepted for postgres); a run outside them fails as usual."),
    fixed_in: z
      .strictObject(
        Object.fromEntries(
          VERSIONED.map((c) => [
            c,
            z
              .string()
              .refine((v) => semver.valid(v) !== null, { error: (iss) => `invalid version ${JSON.stringify(iss.input)}: a release such as "3.0.3"` })
              .optional()
              .describe(`The first ${c} release without the issue (e.g. "3.0.3").`),
          ]),
        ) as Record<
          Versioned,
          z.ZodOptional<z.ZodString>
        >,
      )
      .refine((v) => Object.values(v).some((x) => x !== undefined), { error: `fixed_in names at least one release (${VERSIONED.join(", ")})` })
      .optional()
      .describe(
        "The first release that no longer has the issue (e.g. { patroni: 3.0.3 }), when upstream fixed it; must lie outside `versions`. The upgrade table (game-day summary, `pgchaos compare`) names it.",
      ),
    kind: z
      .enum(["bug", "documented"])
      .optional()
      .describe(
        "bug (the default): the versions named do otherwise than Patroni documents, and a release may fix it. documented: Patroni documents this behaviour (e.g. what happens without a watchdog); no upgrade removes it, and the upgrade table lists it apart from the bugs.",
      ),
    reference: z.url().optional().describe("Upstream issue or pull request."),
    reference_note: z.string().min(1).optional().describe("How the reference relates (or that none was found)."),
    evidence: z.array(evidence).min(1).describe("Log lines that identify the issue; all must be found."),
  })
  .superRefine((k, ctx) => {
    if (k.kind === "documented" && k.fixed_in !== undefined)
      ctx.addIssue({ code: "custom", path: ["fixed_in"], input: k.fixed_in, message: "a documented behaviour (kind: documented) has no fix release: drop fixed_in, or make it kind: bug" });
    // A fix release inside the range the issue is known on contradicts the entry.
    for (const c of VERSIONED) {
      const fixed = k.fixed_in?.[c];
      const range = k.versions[c];
      if (fixed !== undefined && range !== undefined && semver.valid(fixed) && semver.satisfies(fixed, range))
        ctx.addIssue({ code: "custom", path: ["fixed_in", c], input: fixed, message: `fixed_in ${c} ${fixed} lies inside versions.${c} "${range}": the issue is known there` });
    }
  })
  .describe("A failure known to happen on given versions, and how to recognise it.");

export type KnownIssue = z.infer<typeof knownIssueSchema>;

/** A shared file of known issues: `known_issues: [...]`, each naming its scenario. */
export const knownIssuesFileSchema = z
  .strictObject({
    known_issues: z.array(knownIssueSchema.safeExtend({ scenario: z.string().min(1).describe("Scenario name the issue applies to.") })),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.known_issues.forEach((k, i) => {
      if (seen.has(k.id)) ctx.addIssue({ code: "custom", path: ["known_issues", i, "id"], input: k.id, message: `known issue '${k.id}' is listed twice` });
      seen.add(k.id);
    });
  });
