import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { containerFilesArchive } from "../lab/container-files.js";

/** Where the proxy program's modules go in its container. */
export const PROGRAM_DIR = "/opt/pgchaos-dcs-proxy";
/** Its entry, relative to PROGRAM_DIR. */
export const PROGRAM_ENTRY = "dcs-proxy/container-main.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** src/ or dist/: the root the program's relative imports resolve against. */
const root = path.dirname(here);
/** Running from the TypeScript sources (the test runner) rather than from dist/. */
const fromSource = import.meta.url.endsWith(".ts");

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

async function moduleText(rel: string): Promise<string> {
  if (!fromSource) return readFile(path.join(root, rel), "utf8");
  // From the sources (vitest): the same modules transpiled, as tsc would emit them.
  const ts = (await import("typescript")).default;
  const src = await readFile(path.join(root, rel.replace(/\.js$/, ".ts")), "utf8");
  return ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
}

/**
 * The proxy program: container-main.js and every module it imports, as compiled JavaScript
 * (dist/, or transpiled from src/), keyed by path under PROGRAM_DIR, plus the package.json that
 * makes Node read them as ES modules. Type-only imports are gone from compiled code, so this is
 * exactly what runs: the protocol handling is the same code pgchaos's own tests exercise.
 */
export function proxyProgramFiles(): Promise<Map<string, string>> {
  // The same for the whole process: read (and, from the sources, transpiled) once.
  program ??= collectProgram();
  return program;
}
let program: Promise<Map<string, string>> | undefined;

async function collectProgram(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (rel: string) => {
    if (files.has(rel)) return;
    const text = await moduleText(rel);
    files.set(rel, text);
    for (const m of text.matchAll(RELATIVE_IMPORT)) await visit(path.posix.normalize(path.posix.join(path.posix.dirname(rel), m[1])));
  };
  await visit(PROGRAM_ENTRY);
  files.set("package.json", JSON.stringify({ type: "module", private: true }));
  return files;
}

/** The files (paths relative to `prefix`) as a tar archive, their directories first (lab/container-files.ts). */
export function tarOf(files: Map<string, string>, prefix: string): Promise<Buffer> {
  const dirs = new Set<string>();
  for (const rel of files.keys()) {
    const name = path.posix.join(prefix, rel);
    for (let d = path.posix.dirname(name); d !== "." && d !== "/" && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
  }
  return containerFilesArchive(
    [...files].map(([rel, content]) => ({ target: path.posix.join(prefix, rel), content, mode: 0o644 })),
    [...dirs].sort(),
  );
}
