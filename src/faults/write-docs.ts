/**
 * Rewrites the fault table of docs/scenario-format.md from the registry.
 * Usage: `npm run docs` (builds first).
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { withFaultTable } from "./docs-table.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const file = resolve(root, "docs", "scenario-format.md");
await writeFile(file, withFaultTable(await readFile(file, "utf8")));
process.stdout.write(`wrote the fault table of ${file}\n`);
