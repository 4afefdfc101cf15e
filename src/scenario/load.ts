/**
 * Loading a scenario file: YAML -> schema parse (defaults, normalisation) -> semantic checks.
 * Every problem is reported with `file:line:column`, all of them at once, as a ScenarioError.
 */
import { LineCounter } from "yaml";
import { ScenarioError, type ScenarioIssue } from "./errors.js";
import { CONDITION_TYPES, STEP_KEYS, type Scenario, type Step, scenarioSchema, stepSchema } from "./schema.js";
import { semanticProblems } from "./semantic.js";
import { type Path, SourceMap } from "./source.js";
import { type Problem, issueContext, problemsFromZod } from "./zod-issues.js";
import {
  type InputProblem,
  InputError,
  MAX_ISSUES,
  INDENT_ERRORS,
  UNCLOSED_ERROR,
  documentProblems,
  explainedBy,
  firstAliasOffset,
  indentationProblems,
  parseYaml,
  readScenarioText,
  textProblems,
  unclosedOpenings,
} from "./yaml-input.js";

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
    text = await readScenarioText(file);
  } catch (e) {
    if (!(e instanceof InputError)) throw new ScenarioError([{ file, line: 0, column: 0, path: [], message: `cannot read: ${(e as Error)?.message ?? String(e)}` }], { cause: e });
    const { line, column } = e.problem.at ?? { line: 0, column: 0 };
    throw new ScenarioError([{ file, line, column, path: [], message: e.problem.message }], { cause: e });
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
  /** Issues of problems found at text offsets, sorted, at most MAX_ISSUES. */
  const atOffsets = (problems: InputProblem[]): ScenarioIssue[] => {
    const pos = (offset: number) => (offset < 0 ? { line: 0, column: 0 } : lineColumn(text, offset));
    return capIssues(sortIssues(dedupe(problems.map((p) => ({ file, ...pos(p.offset), path: [], message: p.message })))));
  };

  // Before the YAML parser: the text itself, then the nesting depth (the composer recurses).
  const inText = textProblems(text);
  if (inText.length) throw new ScenarioError(atOffsets(inText));
  const { tokens, tooDeep, doc } = parseYaml(text, lineCounter, { prettyErrors: false, uniqueKeys: true, strict: true });
  if (tooDeep || !doc) throw new ScenarioError(atOffsets([tooDeep ?? { offset: 0, message: "no YAML document" }]));
  const src = new SourceMap(doc, lineCounter);

  if (doc.errors.length) {
    const openings = doc.errors.some((e) => UNCLOSED_ERROR.test(e.message)) ? unclosedOpenings(tokens) : [];
    const indents = doc.errors.some((e) => INDENT_ERRORS.has(e.code)) ? indentationProblems(tokens, (o) => lineCounter.linePos(o)) : [];
    const issues = doc.errors.slice(0, 10 * MAX_ISSUES).map((e): ScenarioIssue => {
      if (UNCLOSED_ERROR.test(e.message)) {
        // Report an unclosed quote or bracket where it opens, not where the parser gave up.
        const opening = openings.filter((o) => o.offset <= e.pos[0]).pop();
        if (opening) return { file, ...src.pos(opening.offset), path: [], message: `YAML syntax error: ${opening.what}` };
      }
      // A mis-indented key where it is, with the column it belongs in, not on the line before.
      const indent = indents.find((p) => explainedBy(e, p, text));
      if (indent) return { file, ...src.pos(indent.offset), path: [], message: `YAML syntax error: ${indent.message}` };
      const { line, column } = src.pos(e.pos[0]);
      let message = `YAML syntax error: ${e.message.split("\n")[0]}`;
      if (e.code === "MULTIPLE_DOCS") message = "a scenario file holds one YAML document; this '---' starts a second one";
      if (e.code === "DUPLICATE_KEY") {
        const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(e.pos[0]))?.[1].trim();
        message = `duplicate key${key ? ` ${/^["']/.test(key) ? key : `'${key}'`}` : ""}: a key may appear only once in a mapping`;
      }
      return { file, line, column, path: [], message };
    });
    const unique = dedupe(issues);
    throw new ScenarioError(capIssues(sortIssues(unique), unique.length + Math.max(0, doc.errors.length - issues.length)));
  }

  // What the conversion to plain data would hide or turn into something else (tags, __proto__, <<).
  // (An unresolved tag is also a warning; documentProblems reports every tag outside the core schema.)
  const warnings = doc.warnings.filter((w) => w.code !== "TAG_RESOLVE_FAILED").map((w): InputProblem => ({ offset: w.pos[0], message: `YAML: ${w.message.split("\n")[0]}` }));
  const hidden = [...warnings, ...documentProblems(doc, text)];
  if (hidden.length) throw new ScenarioError(atOffsets(hidden));

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    // An alias bomb: aliases expanding to too many nodes.
    const offset = firstAliasOffset(doc);
    const message = `YAML aliases expand to too many nodes (${(e as Error).message}); write the values out`;
    throw new ScenarioError(atOffsets([{ offset: offset < 0 ? 0 : offset, message }]), { cause: e });
  }
  if (data === null || data === undefined) {
    throw new ScenarioError([{ file, line: 1, column: 1, path: [], message: "the file is empty; a scenario needs at least name, description and steps" }]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const { line, column } = src.locate([]);
    throw new ScenarioError([{ file, line, column, path: [], message: `a scenario is a mapping (name:, description:, steps: ...), got ${Array.isArray(data) ? "a list" : typeof data}` }]);
  }

  const toIssues = (problems: Problem[]): ScenarioIssue[] =>
    capIssues(sortIssues(
      dedupe(
        problems.map((p) => {
          const loc = src.locate(p.path, p.at);
          const issue: ScenarioIssue = { file, line: loc.line, column: loc.column, path: loc.path, message: p.message };
          if (p.allowed?.length) issue.allowed = p.allowed;
          if (p.suggestion !== undefined) issue.suggestion = p.suggestion;
          return issue;
        }),
      ),
    ));

  // Thousands of bad steps: check steps one by one and stop after MAX_ISSUES bad ones, so the
  // full parse and the conversion of its issues only see that many (time and memory).
  let checked = data as Record<string, unknown>;
  let note: ScenarioIssue | undefined;
  const allSteps = checked.steps;
  if (Array.isArray(allSteps) && allSteps.length > 2 * MAX_ISSUES) {
    let bad = 0;
    for (let i = 0; i < allSteps.length; i++) {
      if (!stepSchema.safeParse(allSteps[i], issueContext).success && ++bad > MAX_ISSUES) {
        checked = { ...checked, steps: allSteps.slice(0, i) };
        const { line, column } = src.locate(["steps", i]);
        note = { file, line, column, path: ["steps", i], message: `this and the ${allSteps.length - i - 1} step(s) after it were not checked: more than ${MAX_ISSUES} steps have problems` };
        break;
      }
    }
  }

  const result = scenarioSchema.safeParse(checked, issueContext);
  if (!result.success) {
    // zod cannot tell "two selecting keys" from "one unknown key"; say it ourselves.
    const pre = ambiguityProblems(checked);
    const owners = new Set(pre.map((q) => JSON.stringify(q.owner)));
    const inside = (p: Path) => owners.size > 0 && [2, 3, 4].some((n) => p.length >= n && owners.has(JSON.stringify(p.slice(0, n))));
    const problems = withoutEchoes([...pre, ...problemsFromZod(result.error.issues, checked).filter((p) => !inside(p.path))]);
    const issues = toIssues(problems);
    throw new ScenarioError(note ? [...issues, note] : issues);
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

/**
 * At most MAX_ISSUES issues, plus one saying how many more there are: thousands of lines help
 * nobody, and printing them costs time and memory. `total` when more were found than passed.
 */
function capIssues(issues: ScenarioIssue[], total = issues.length): ScenarioIssue[] {
  if (total <= MAX_ISSUES) return issues;
  const last = issues[MAX_ISSUES - 1];
  return [
    ...issues.slice(0, MAX_ISSUES),
    { file: last.file, line: 0, column: 0, path: [], message: `${total - MAX_ISSUES} more problem(s) not shown (only the first ${MAX_ISSUES} are listed)` },
  ];
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}
