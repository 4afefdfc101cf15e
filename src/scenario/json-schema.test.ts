import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { JSON_SCHEMA_FILE, REGENERATE_COMMAND, scenarioJsonSchema, scenarioJsonSchemaText } from "./json-schema.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("schema/scenario.schema.json", () => {
  it("is up to date with the zod schema", () => {
    const committed = readFileSync(path.join(ROOT, JSON_SCHEMA_FILE), "utf8");
    if (committed !== scenarioJsonSchemaText()) {
      expect.fail(`${JSON_SCHEMA_FILE} differs from what src/scenario/schema.ts generates. Regenerate it: ${REGENERATE_COMMAND}`);
    }
  });

  it("describes every key, so editors can show help", () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${where}[${i}]`));
      if (!node || typeof node !== "object") return;
      const o = node as Record<string, unknown>;
      if (o.properties && typeof o.properties === "object") {
        for (const [k, v] of Object.entries(o.properties)) {
          if (!(v as Record<string, unknown>).description) undocumented.push(`${where}.${k}`);
          walk(v, `${where}.${k}`);
        }
      }
      for (const key of ["anyOf", "oneOf", "items", "additionalProperties"]) if (o[key]) walk(o[key], `${where}/${key}`);
    };
    walk(scenarioJsonSchema(), "#");
    expect(undocumented).toEqual([]);
  });
});

/**
 * A small JSON Schema (draft-07 subset) validator, enough for the keywords the generated
 * schema uses; it checks that the editor schema accepts what the loader accepts.
 */
function jsonSchemaErrors(schema: Record<string, unknown>, value: unknown, at = "$"): string[] {
  const errs: string[] = [];
  const s = schema;
  const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "number" && Number.isInteger(v) ? "integer" : typeof v);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === "integer" && types.includes("number"))) errs.push(`${at}: type ${t}, expected ${types.join("|")}`);
  }
  if ("const" in s && value !== s.const) errs.push(`${at}: not ${JSON.stringify(s.const)}`);
  if (s.enum && !(s.enum as unknown[]).includes(value)) errs.push(`${at}: not in enum`);
  if (typeof value === "string") {
    if (s.pattern && !new RegExp(s.pattern as string).test(value)) errs.push(`${at}: does not match ${s.pattern}`);
    if (s.minLength !== undefined && value.length < (s.minLength as number)) errs.push(`${at}: too short`);
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < (s.minimum as number)) errs.push(`${at}: below minimum`);
    if (s.maximum !== undefined && value > (s.maximum as number)) errs.push(`${at}: above maximum`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < (s.minItems as number)) errs.push(`${at}: too few items`);
    if (s.maxItems !== undefined && value.length > (s.maxItems as number)) errs.push(`${at}: too many items`);
    if (s.items) value.forEach((v, i) => errs.push(...jsonSchemaErrors(s.items as Record<string, unknown>, v, `${at}[${i}]`)));
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const r of (s.required ?? []) as string[]) if (!(r in obj)) errs.push(`${at}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errs.push(...jsonSchemaErrors(props[k], v, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}: unexpected ${k}`);
      else if (s.additionalProperties && typeof s.additionalProperties === "object") {
        errs.push(...jsonSchemaErrors(s.additionalProperties as Record<string, unknown>, v, `${at}.${k}`));
      }
    }
  }
  if (s.anyOf) {
    const results = (s.anyOf as Record<string, unknown>[]).map((b) => jsonSchemaErrors(b, value, at));
    if (!results.some((r) => r.length === 0)) errs.push(`${at}: matches no anyOf branch (${results.map((r) => r[0]).join(" / ")})`);
  }
  if (s.oneOf) {
    const ok = (s.oneOf as Record<string, unknown>[]).filter((b) => jsonSchemaErrors(b, value, at).length === 0).length;
    if (ok !== 1) errs.push(`${at}: matches ${ok} oneOf branches`);
  }
  return errs;
}

describe("the JSON Schema agrees with the loader", () => {
  const schema = scenarioJsonSchema();
  const dir = path.join(ROOT, "test/fixtures/scenarios/valid");

  it.each(readdirSync(dir).filter((f) => f.endsWith(".yaml")))("accepts valid fixture %s", (f) => {
    expect(jsonSchemaErrors(schema, parseYaml(readFileSync(path.join(dir, f), "utf8")))).toEqual([]);
  });

  const base = { name: "x", description: "d" };
  it.each([
    ["an unknown top-level key", { ...base, steps: [{ sleep: 1 }], descripton: "d" }],
    ["an unknown fault type", { ...base, steps: [{ fault: "etcd-pase", targets: "e1" }] }],
    ["a key of another fault type", { ...base, steps: [{ fault: "etcd-stop", targets: "e1", mode: "pause" }] }],
    ["a Patroni node where etcd members are required", { ...base, steps: [{ fault: "etcd-stop", targets: "pg1" }] }],
    ["a bad duration", { ...base, steps: [{ sleep: "5 sec" }] }],
    ["a condition with an unknown key", { ...base, steps: [{ expect: { leadr: "none" } }] }],
    ["a bad size", { ...base, patroni: { maximum_lag_on_failover: "1mb" }, steps: [{ sleep: 1 }] }],
    ["no steps", { ...base, steps: [] }],
  ])("rejects %s", (_, doc) => {
    expect(jsonSchemaErrors(schema, doc)).not.toEqual([]);
  });
});
