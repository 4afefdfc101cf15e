import { UserFacingError, errorText } from "../util/errors.js";

/** `--tag T` (repeatable: any of them) and `--grep RE` (on the scenario's name): both must hold when both are given. */
export interface ScenarioSelection {
  tags?: readonly string[];
  grep?: string;
}

interface Selectable {
  name: string;
  tags: readonly string[];
}

/** The --grep pattern as a RegExp; a bad one is a UserFacingError saying what is wrong. */
export function grepPattern(re: string | undefined): RegExp | undefined {
  if (re === undefined) return undefined;
  try {
    return new RegExp(re);
  } catch (e) {
    throw new UserFacingError(`--grep: '${re}' is not a valid regular expression (${errorText(e).replace(/^Invalid regular expression: /, "")})`);
  }
}

/**
 * The items whose scenario matches the selection, in their order. When a selection is given and
 * nothing matches, a UserFacingError lists the tags in use (a run of nothing is a mistake).
 */
export function selectScenarios<T>(items: readonly T[], sel: ScenarioSelection, scenarioOf: (item: T) => Selectable): T[] {
  const tags = sel.tags ?? [];
  const re = grepPattern(sel.grep);
  if (!tags.length && !re) return [...items];
  const chosen = items.filter((i) => {
    const s = scenarioOf(i);
    return (!tags.length || tags.some((t) => s.tags.includes(t))) && (!re || re.test(s.name));
  });
  if (!chosen.length) {
    const inUse = [...new Set(items.flatMap((i) => scenarioOf(i).tags))].sort();
    const what = [...tags.map((t) => `--tag ${t}`), ...(re ? [`--grep ${sel.grep}`] : [])].join(" ");
    throw new UserFacingError(`no scenario matches ${what} (of ${items.length}; tags in use: ${inUse.join(", ") || "none"})`);
  }
  return chosen;
}
