/**
 * The JSON Schema of scenario files, generated from the zod schema (schema.ts), for editors:
 * put `# yaml-language-server: $schema=<relative path>/schema/scenario.schema.json` at the top
 * of a scenario file to get completion, hover help (the `description`s) and checking.
 *
 * The committed file schema/scenario.schema.json must equal `scenarioJsonSchemaText()`; a unit
 * test enforces it. Regenerate with `npm run schema` (= `npm run build && node dist/scenario/write-json-schema.js`).
 *
 * The JSON Schema describes what an author writes (zod's "input" side). It cannot express the
 * checks that need the whole file (ids, references, topology, timing rule); the loader does.
 */
import { z } from "zod";
import { scenarioSchema } from "./schema.js";

/** Path of the generated file, relative to the package root. */
export const JSON_SCHEMA_FILE = "schema/scenario.schema.json";
export const REGENERATE_COMMAND = "npm run schema";

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, {
    io: "input",
    target: "draft-07",
    unrepresentable: "any",
    override: ({ jsonSchema }) => {
      // `.int()` adds the safe-integer range; it is noise for a YAML author.
      const js = jsonSchema as Record<string, unknown>;
      if (js.maximum === Number.MAX_SAFE_INTEGER) delete js.maximum;
      if (js.minimum === Number.MIN_SAFE_INTEGER) delete js.minimum;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $comment: `Generated from src/scenario/schema.ts; do not edit. Regenerate: ${REGENERATE_COMMAND}`,
    title: "pgchaos scenario",
    ...rest,
  };
}

/** The exact text of schema/scenario.schema.json. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
