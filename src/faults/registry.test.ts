import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { FAULT_KINDS, FAULT_TYPES, faultDocsTable } from "./registry.js";
import { withFaultTable } from "./docs-table.js";

describe("fault registry", () => {
  test("every entry is keyed by its kind's own name", () => {
    for (const [key, kind] of Object.entries(FAULT_KINDS)) expect(kind.type).toBe(key);
  });

  test("the docs table is the registry's (run `npm run docs` after changing a kind)", () => {
    const doc = readFileSync(new URL("../../docs/scenario-format.md", import.meta.url), "utf8");
    expect(withFaultTable(doc)).toBe(doc);
    for (const t of FAULT_TYPES) expect(faultDocsTable()).toContain(`| \`${t}\` |`);
  });
});
