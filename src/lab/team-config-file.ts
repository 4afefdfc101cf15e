import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { UserFacingError } from "../util/errors.js";

/** A team's patroni.yml (run --patroni-config FILE): a YAML mapping, or a clear error with file:line:column. */
export async function readPatroniConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserFacingError(`--patroni-config ${file}: cannot read (${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(e)})`);
  }
  return parsePatroniConfig(text, file);
}

export function parsePatroniConfig(text: string, file: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const { line, col } = lineCounter.linePos(e.pos[0]);
    throw new UserFacingError(`${file}:${line}:${col}: YAML syntax error: ${e.message.split("\n")[0]}; a patroni.yml is a YAML mapping`);
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new UserFacingError(`${file}:1:1: a patroni.yml is a mapping of Patroni settings (scope:, postgresql:, ...), got ${Array.isArray(data) ? "a list" : data === null ? "nothing" : typeof data}`);
  }
  return data as Record<string, unknown>;
}
