/**
 * Writes schema/scenario.schema.json from the zod schema.
 * Usage: `npm run build && node dist/scenario/write-json-schema.js [output path]`
 * (default output: schema/scenario.schema.json of the package this file belongs to).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { JSON_SCHEMA_FILE, scenarioJsonSchemaText } from "./json-schema.js";

// dist/scenario/write-json-schema.js (or src/scenario/...) -> package root two levels up.
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = resolve(process.argv[2] ?? resolve(root, JSON_SCHEMA_FILE));
await mkdir(dirname(out), { recursive: true });
await writeFile(out, scenarioJsonSchemaText());
process.stdout.write(`wrote ${relative(process.cwd(), out) || out}\n`);
