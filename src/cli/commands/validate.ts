import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { formatIssue, type LoadedScenario, loadScenario, ScenarioError, type ScenarioIssue } from "../../scenario/load.js";
import { UserFacingError } from "../../util/errors.js";
import type { StackRecipe } from "../../stacks/stacks.js";
import { keptKeyNotes, stackIssues } from "../../stacks/scenario-fit.js";

export interface ValidateOutput {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const SCENARIO_EXT = /\.ya?ml$/i;
/** Directories never searched for scenarios. */
const SKIP_DIRS = new Set(["node_modules", ".git"]);

interface Collected {
  files: string[];
  missing: string[];
}

async function collect(paths: string[]): Promise<Collected> {
  const files: string[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    const key = path.resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      missing.push(p);
      continue;
    }
    if (st.isDirectory()) (await walk(p)).forEach(add);
    else add(p);
  }
  return { files, missing };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) out.push(...(await walk(full)));
    } else if ((e.isFile() || e.isSymbolicLink()) && SCENARIO_EXT.test(e.name)) {
      out.push(full);
    }
  }
  return out.sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The scenario files named by `paths`: files as given (any extension), directories searched
 * recursively for `*.yaml` / `*.yml` (sorted by path; dot-directories and node_modules skipped).
 * Paths keep their argument order; a file named twice is listed once.
 * Throws UserFacingError when a path does not exist.
 */
export async function findScenarioFiles(paths: string[]): Promise<string[]> {
  const { files, missing } = await collect(paths);
  if (missing.length) throw new UserFacingError(missing.map((m) => `${m}: no such file or directory`).join("\n"));
  return files;
}

/**
 * `pgchaos validate <paths...>`: checks scenario files without Docker. Prints `ok  <file>` for
 * each valid file (stdout) and every problem as `file:line:col: path: message` (stderr).
 * Two scenarios with the same name are an error too (their reports would collide).
 * Returns 0 when all are valid, 2 when any is invalid, a path does not exist, or no file is found.
 */
export async function validateCommand(paths: string[], out: ValidateOutput, opts: { stacks?: readonly StackRecipe[] } = {}): Promise<number> {
  const { files, missing } = await collect(paths.length ? paths : ["scenarios"]);
  for (const m of missing) out.stderr(`${m}: no such file or directory`);
  if (!files.length) {
    if (!missing.length) out.stderr(`no scenario files (*.yaml, *.yml) in ${(paths.length ? paths : ["scenarios"]).join(", ")}`);
    return 2;
  }
  let invalid = 0;
  const byName = new Map<string, LoadedScenario>();
  for (const f of files) {
    try {
      const s = await loadScenario(f);
      const other = byName.get(s.name);
      if (other) {
        invalid++;
        out.stderr(formatIssue(nameClash(s, other)));
        continue;
      }
      byName.set(s.name, s);
      // As in a matrix run: a scenario some of the stacks cannot run is run on the others.
      const unfit = (opts.stacks ?? []).map((st) => ({ st, issues: stackIssues(s, st) })).filter((x) => x.issues.length);
      if (unfit.length && unfit.length === opts.stacks?.length) {
        invalid++;
        for (const i of unfit.flatMap((x) => x.issues)) out.stderr(formatIssue(i));
        continue;
      }
      out.stdout(`ok  ${f}`);
      for (const x of unfit) for (const i of x.issues) out.stdout(`    note: not on stack ${x.st.name}: ${formatIssue(i)}`);
      for (const n of keptKeyNotes(s)) out.stdout(`    note: ${formatIssue(n)}`);
    } catch (e) {
      invalid++;
      out.stderr(e instanceof ScenarioError ? e.message : `${f}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (files.length > 1) out.stdout(`${files.length} files: ${files.length - invalid} ok, ${invalid} invalid`);
  return invalid || missing.length ? 2 : 0;
}

function nameClash(s: LoadedScenario, other: LoadedScenario): ScenarioIssue {
  // Position of the value of the top-level `name:` key.
  const m = /^name[ \t]*:[ \t]*/m.exec(s.text);
  const offset = m ? m.index + m[0].length : -1;
  const before = offset >= 0 ? s.text.slice(0, offset) : "";
  return {
    file: s.file,
    line: offset >= 0 ? before.split("\n").length : 0,
    column: offset >= 0 ? offset - before.lastIndexOf("\n") : 0,
    path: ["name"],
    message: `scenario name '${s.name}' is also used by ${other.file}; names must be unique (reports are stored by name)`,
  };
}
