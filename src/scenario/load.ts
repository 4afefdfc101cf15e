/**
 * Loading a scenario file: YAML -> schema parse (defaults, normalisation) -> semantic checks.
 * Every problem is reported with `file:line:column`, all of them at once, as a ScenarioError.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { ScenarioError, type ScenarioIssue } from "./errors.js";
import { CONDITION_TYPES, STEP_KEYS, type Scenario, type Step, scenarioSchema } from "./schema.js";
import { semanticProblems } from "./semantic.js";
import { type Path, SourceMap } from "./source.js";
import { type Problem, issueContext, problemsFromZod } from "./zod-issues.js";

export { ScenarioError, type ScenarioIssue, formatIssue, formatPath } from "./errors.js";

/** A parsed step plus where it is. */
export type LoadedStep = Step & {
  /** Position in `steps` (0-based), as in error paths and StepEvent.index. */
  index: number;
  /** 1-based source line of the step's first key. */
  line: number;
  /** The step's id, or `step-<n>` (n = index + 1, as "step n/N" counts) when it has none (ids of that form are reserved). */
  label: string;
};

/** A valid, typed, defaulted scenario and its source. */
export type LoadedScenario = Omit<Scenario, "steps"> & {
  steps: LoadedStep[];
  /** The path the scenario was loaded from, as given. */
  file: string;
  /** The original source text (for the report). */
  text: string;
};

/** Read and validate a scenario file. Throws ScenarioError (never anything else) when invalid. */
export async function loadScenario(file: string): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "is a directory" : err.message;
    throw new ScenarioError([{ file, line: 0, column: 0, path: [], message: `cannot read: ${why}` }], { cause: e });
  }
  return parseScenario(text, file);
}

/** Validate scenario source text; `file` is used in messages. Throws ScenarioError when invalid. */
export function parseScenario(text: string, file: string): LoadedScenario {
  try {
    return parse(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    // A bug in pgchaos rather than in the scenario; still no stack trace for the user.
    throw new ScenarioError([{ file, line: 0, column: 0, path: [], message: `internal error while validating: ${(e as Error)?.message ?? String(e)}` }], {
      cause: e,
    });
  }
}

function parse(text: string, file: string): LoadedScenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const src = new SourceMap(doc, lineCounter);

  if (doc.errors.length) {
    const issues = doc.errors.map((e): ScenarioIssue => {
      const { line, column } = src.pos(e.pos[0]);
      let message = `YAML syntax error: ${e.message.split("\n")[0]}`;
      if (e.code === "MULTIPLE_DOCS") message = "a scenario file holds one YAML document; this '---' starts a second one";
      if (e.code === "DUPLICATE_KEY") {
        const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(e.pos[0]))?.[1].trim();
        message = `duplicate key${key ? ` ${/^["']/.test(key) ? key : `'${key}'`}` : ""}: a key may appear only once in a mapping`;
      }
      return { file, line, column, path: [], message };
    });
    throw new ScenarioError(sortIssues(issues));
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // e.g. an alias to an anchor that does not exist
    throw new ScenarioError([{ file, line: 1, column: 1, path: [], message: `YAML error: ${(e as Error).message}` }], { cause: e });
  }
  if (data === null || data === undefined) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: [], message: "the file is empty; a scenario needs at least name, description and steps" }]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const { line, column } = src.locate([]);
    throw new ScenarioError([{ file, line, column, path: [], message: `a scenario is a mapping (name:, description:, steps: ...), got ${Array.isArray(data) ? "a list" : typeof data}` }]);
  }

  const toIssues = (problems: Problem[]): ScenarioIssue[] =>
    sortIssues(
      dedupe(
        problems.map((p) => {
          const loc = src.locate(p.path, p.at);
          const issue: ScenarioIssue = { file, line: loc.line, column: loc.column, path: loc.path, message: p.message };
          if (p.allowed?.length) issue.allowed = p.allowed;
          if (p.suggestion !== undefined) issue.suggestion = p.suggestion;
          return issue;
        }),
      ),
    );

  const result = scenarioSchema.safeParse(data, issueContext);
  if (!result.success) {
    // zod cannot tell "two selecting keys" from "one unknown key"; say it ourselves.
    const pre = ambiguityProblems(data as Record<string, unknown>);
    const inside = (p: Path) => pre.some((q) => q.owner.every((seg, i) => p[i] === seg));
    const problems = withoutEchoes([...pre, ...problemsFromZod(result.error.issues, data).filter((p) => !inside(p.path))]);
    throw new ScenarioError(toIssues(problems));
  }

  const scenario = result.data;
  const semantic = semanticProblems(scenario, src);
  if (semantic.length) throw new ScenarioError(toIssues(semantic));

  const steps = scenario.steps.map((step, index): LoadedStep => ({
    ...step,
    index,
    line: src.locate(["steps", index]).line,
    label: step.id ?? `step-${index + 1}`,
  }));
  return { ...scenario, steps, file, text };
}

/**
 * A misspelt required key gives two problems: "unknown key 'descripton' ... did you mean
 * 'description'?" and "missing required key 'description'". Keep the first, it says it all.
 */
function withoutEchoes(problems: Problem[]): Problem[] {
  const parent = (p: Path) => JSON.stringify(p.slice(0, -1));
  const suggested = new Set(problems.filter((p) => p.suggestion !== undefined).map((p) => `${parent(p.path)}/${p.suggestion}`));
  return problems.filter((p) => !(p.message.startsWith("missing required key") && suggested.has(`${parent(p.path)}/${String(p.path[p.path.length - 1])}`)));
}

/**
 * Steps with more than one of fault/action/expect/heal/sleep, and conditions with more than one
 * key. `owner` is the step or condition; other complaints about it are dropped.
 */
function ambiguityProblems(data: Record<string, unknown>): (Problem & { owner: Path })[] {
  const out: (Problem & { owner: Path })[] = [];
  const check = (v: unknown, owner: Path, keys: readonly string[], noun: string, hint = "") => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return;
    const present = Object.keys(v).filter((k) => keys.includes(k)); // in source order
    if (present.length > 1) {
      out.push({
        owner,
        path: [...owner, present[1]],
        at: "key",
        message: `a ${noun} has exactly one of the keys ${keys.join(", ")}; found ${present.map((k) => `'${k}'`).join(" and ")}${hint}`,
      });
    }
  };
  if (!Array.isArray(data.steps)) return out;
  data.steps.forEach((step: unknown, i) => {
    check(step, ["steps", i], STEP_KEYS, "step", " (split it into several steps)");
    const expect = (step as Record<string, unknown> | null)?.expect;
    const conditions = Array.isArray(expect) ? expect.map((c, j) => [c, ["steps", i, "expect", j]] as const) : [[expect, ["steps", i, "expect"]] as const];
    for (const [c, owner] of conditions) check(c, [...owner], CONDITION_TYPES, "condition", " (write several conditions as a list)");
  });
  return out;
}

function sortIssues(issues: ScenarioIssue[]): ScenarioIssue[] {
  return issues.map((x, i) => [x, i] as const).sort(([a, i], [b, j]) => a.line - b.line || a.column - b.column || i - j).map(([x]) => x);
}

function dedupe(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((x) => {
    const k = `${x.line}:${x.column}:${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
