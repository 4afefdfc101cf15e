import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

/**
 * A ustar archive of small text files (and their directories), as the engine's archive upload
 * takes it. Hand-written: a handful of files under 100 KB with short names need no more, and
 * the tar libraries in node_modules are only testcontainers' own dependencies, not ours.
 */
export function tarOf(files: Map<string, string>, prefix: string): Buffer {
  const parts: Buffer[] = [];
  const dirs = new Set<string>();
  const header = (name: string, size: number, type: "0" | "5", mode: number) => {
    if (Buffer.byteLength(name) > 99) throw new Error(`tar: name too long: ${name}`);
    const h = Buffer.alloc(512);
    const put = (s: string, off: number, len: number) => h.write(s, off, len, "utf8");
    put(name, 0, 100);
    put(`${mode.toString(8).padStart(7, "0")}\0`, 100, 8);
    put("0000000\0", 108, 8);
    put("0000000\0", 116, 8);
    put(`${size.toString(8).padStart(11, "0")}\0`, 124, 12);
    put(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, "0")}\0`, 136, 12);
    put("        ", 148, 8);
    put(type, 156, 1);
    put("ustar\0", 257, 6);
    put("00", 263, 2);
    let sum = 0;
    for (const b of h) sum += b;
    put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
    return h;
  };
  for (const rel of files.keys()) {
    const name = path.posix.join(prefix, rel);
    for (let d = path.posix.dirname(name); d !== "." && d !== "/" && !dirs.has(d); d = path.posix.dirname(d)) dirs.add(d);
  }
  for (const d of [...dirs].sort()) parts.push(header(`${d}/`, 0, "5", 0o755));
  for (const [rel, text] of files) {
    const body = Buffer.from(text, "utf8");
    parts.push(header(path.posix.join(prefix, rel), body.length, "0", 0o644), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
