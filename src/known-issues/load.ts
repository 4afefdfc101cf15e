import { readFileSync } from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { ScenarioError, type ScenarioIssue } from "../scenario/errors.js";
import { SourceMap } from "../scenario/source.js";
import { issueContext, problemsFromZod } from "../scenario/zod-issues.js";
import { packageRoot } from "../util/paths.js";
import { knownIssuesFileSchema, type KnownIssue } from "./schema.js";

/** The known issues shipped with pgchaos (Patroni behaviours that differ from its documentation). */
export const SHIPPED_KNOWN_ISSUES_FILE = path.join(packageRoot, "known-issues", "patroni.yaml");

/** Known issues named by scenario. */
export type KnownIssueEntry = KnownIssue & { scenario: string };

/**
 * Parses a known-issues file. Every problem is reported as `file:line:column` with what is
 * allowed (the same machinery and error type as scenario files).
 */
export function parseKnownIssues(text: string, file: string): KnownIssueEntry[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const src = new SourceMap(doc, lineCounter);
  if (doc.errors.length) {
    throw new ScenarioError(
      doc.errors.map((e): ScenarioIssue => ({ file, ...src.pos(e.pos[0]), path: [], message: `YAML syntax error: ${e.message.split("\n")[0]}` })),
    );
  }
  const data: unknown = doc.toJS();
  const result = knownIssuesFileSchema.safeParse(data, issueContext);
  if (!result.success) {
    throw new ScenarioError(
      problemsFromZod(result.error.issues, data).map((p): ScenarioIssue => {
        const loc = src.locate(p.path, p.at);
        return { file, line: loc.line, column: loc.column, path: loc.path, message: p.message, ...(p.allowed?.length ? { allowed: p.allowed } : {}) };
      }),
    );
  }
  return result.data.known_issues;
}

export function loadKnownIssues(file: string = SHIPPED_KNOWN_ISSUES_FILE): KnownIssueEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError([{ file, line: 0, column: 0, path: [], message: `cannot read: ${(e as Error).message}` }], { cause: e });
  }
  return parseKnownIssues(text, file);
}
