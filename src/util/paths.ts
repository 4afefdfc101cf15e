import { fileURLToPath } from "node:url";
import path from "node:path";

/** The package root (where package.json, compose/ and scenarios/ live), from src/ or dist/. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const composeDir = path.join(packageRoot, "compose");
