/** Validation problems of scenario files, with positions, and their printed form. */
import type { Path } from "./source.js";

export interface ScenarioIssue {
  file: string;
  /** 1-based line; 0 when the problem has no position (e.g. the file cannot be read). */
  line: number;
  /** 1-based column; 0 when unknown. */
  column: number;
  /** Where in the scenario: `["steps", 2, "fault"]`; empty for the whole file. */
  path: Path;
  /** What is wrong, without position, path, allowed values or suggestion. */
  message: string;
  /** The values or keys that are allowed there, when there is a short list. */
  allowed?: string[];
  /** The allowed value closest to what was written, when it looks like a typo. */
  suggestion?: string;
}

/** `steps[2].expect[0].role.node` */
export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `file:line:col: path: message; allowed: a, b; did you mean 'a'?` */
export function formatIssue(issue: ScenarioIssue): string {
  let s = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}: ` : `${issue.file}: `;
  if (issue.path.length) s += `${formatPath(issue.path)}: `;
  s += issue.message;
  if (issue.allowed?.length) s += `; allowed: ${issue.allowed.join(", ")}`;
  if (issue.suggestion !== undefined) s += `; did you mean '${issue.suggestion}'?`;
  return s;
}

/**
 * A scenario file is invalid. `issues` lists every problem found (sorted by position);
 * `message` is their printed form, one per line, ready to show (no stack trace needed).
 */
export class ScenarioError extends Error {
  override name = "ScenarioError";
  readonly issues: ScenarioIssue[];

  constructor(issues: ScenarioIssue[], options?: { cause?: unknown }) {
    super(issues.map(formatIssue).join("\n"), options);
    this.issues = issues;
  }

  /** The file of the first issue (all issues of one error come from one file). */
  get file(): string | undefined {
    return this.issues[0]?.file;
  }
}
