/**
 * Turns zod issues into precise, human problems: one per real mistake, phrased for a YAML
 * author, with the allowed values and a "did you mean" where that helps.
 *
 * The parse is run with `issueContext` as its error map. It is only consulted for issues that
 * carry zod's default message, and it records on the issue the schema that raised it (zod
 * copies unknown issue fields into the final issue). That lets us list an object's allowed
 * keys and pick the branch of a keyed union that the input's key selects.
 */
import type { z } from "zod";
import { KEYED_UNIONS, show, typeName } from "./primitives.js";
import type { Anchor, Path } from "./source.js";
import { closest } from "./suggest.js";

/** A problem before it is given a position. */
export interface Problem {
  path: Path;
  at: Anchor;
  message: string;
  allowed?: string[];
  suggestion?: string;
}

interface Extra {
  /** The schema that raised the issue (set by `issueContext`). */
  pgSchema?: { _zod: { def: Record<string, unknown> } };
  /** The message is zod's default (we phrase our own). */
  pgDefault?: boolean;
}
type Issue = z.core.$ZodIssue & Extra;

/** Parse params for `schema.safeParse(data, issueContext)`. */
export const issueContext = {
  reportInput: true,
  error(iss: z.core.$ZodRawIssue): undefined {
    const raw = iss as unknown as Record<string, unknown>;
    raw.pgSchema = iss.inst;
    raw.pgDefault = true;
    return undefined;
  },
} as const;

const TYPE_WORDS: Record<string, string> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  tuple: "a list",
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  null: "null",
};

function get(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isMissing(data: unknown, path: Path): boolean {
  if (!path.length) return false;
  const parent = get(data, path.slice(0, -1));
  return isPlainObject(parent) && !Object.prototype.hasOwnProperty.call(parent, path[path.length - 1]);
}

function shapeKeys(schema: Extra["pgSchema"]): string[] | undefined {
  const shape = schema?._zod.def.shape;
  return shape && typeof shape === "object" ? Object.keys(shape) : undefined;
}

/** Convert zod issues of a parse of `data` into problems. */
export function problemsFromZod(issues: readonly z.core.$ZodIssue[], data: unknown): Problem[] {
  const out: Problem[] = [];
  for (const iss of issues) convert(iss as Issue, [], data, out);
  return out;
}

function convert(iss: Issue, base: Path, data: unknown, out: Problem[]): void {
  const path = [...base, ...(iss.path as (string | number)[])];
  const value = get(data, path);
  const last = path[path.length - 1];

  if ((iss.code === "invalid_type" || iss.code === "invalid_union") && isMissing(data, path) && !("discriminator" in iss && iss.discriminator)) {
    // The path does not exist in the source: it is located at the parent mapping.
    out.push({ path, at: "value", message: `missing required key '${String(last)}'` });
    return;
  }

  switch (iss.code) {
    case "unrecognized_keys": {
      const allowed = shapeKeys(iss.pgSchema);
      const context = isPlainObject(value) ? ownerText(value) : "";
      for (const key of iss.keys) {
        out.push({
          path: [...path, key],
          at: "key",
          message: `unknown key '${key}'${context}`,
          allowed,
          suggestion: allowed ? closest(key, allowed) : undefined,
        });
      }
      return;
    }
    case "invalid_union":
      return convertUnion(iss, path, value, data, out);
    default:
      break;
  }

  if (!iss.pgDefault) {
    out.push({ path, at: "value", message: iss.message });
    return;
  }

  switch (iss.code) {
    case "invalid_type":
      out.push({ path, at: "value", message: `expected ${TYPE_WORDS[iss.expected] ?? iss.expected}, got ${typeName(value)}` });
      return;
    case "invalid_value": {
      const allowed = iss.values.map((v) => String(v));
      out.push({
        path,
        at: "value",
        message: `invalid value ${show(value)}`,
        allowed,
        suggestion: typeof value === "string" ? closest(value, allowed) : undefined,
      });
      return;
    }
    case "too_small":
    case "too_big": {
      const small = iss.code === "too_small";
      const bound = small ? (iss as z.core.$ZodIssueTooSmall).minimum : (iss as z.core.$ZodIssueTooBig).maximum;
      const inclusive = iss.inclusive !== false;
      if (iss.origin === "array" || iss.origin === "set") {
        const n = Number(bound);
        out.push({ path, at: "value", message: small ? `needs at least ${n} item${n === 1 ? "" : "s"}` : `takes at most ${n} item${n === 1 ? "" : "s"}` });
      } else if (iss.origin === "string") {
        out.push({ path, at: "value", message: small && Number(bound) <= 1 ? "must not be empty" : `must be ${small ? "at least" : "at most"} ${bound} characters long` });
      } else {
        const op = small ? (inclusive ? "at least" : "greater than") : inclusive ? "at most" : "less than";
        out.push({ path, at: "value", message: `invalid value ${show(value)}: must be ${op} ${bound}` });
      }
      return;
    }
    case "invalid_format":
      out.push({ path, at: "value", message: `invalid value ${show(value)}${iss.pattern ? `: must match ${iss.pattern}` : ""}` });
      return;
    case "not_multiple_of":
      out.push({ path, at: "value", message: `invalid value ${show(value)}: must be a multiple of ${iss.divisor}` });
      return;
    case "invalid_key":
      out.push({ path, at: "key", message: `invalid key '${String(last)}'` });
      return;
    default:
      out.push({ path, at: "value", message: iss.message });
  }
}

/** " for fault 'etcd-stop'" when the mapping is a fault or action step. */
function ownerText(obj: Record<string, unknown>): string {
  if (typeof obj.fault === "string") return ` for fault '${obj.fault}'`;
  if (typeof obj.action === "string") return ` for action '${obj.action}'`;
  return "";
}

/** The branch failed because the value has the wrong type altogether (not because of its content). */
function rootMismatch(branch: Issue[], value: unknown): boolean {
  return branch.some((i) => {
    if (i.path.length !== 0) return false;
    if (i.code === "invalid_type") return true;
    // A literal of another type than the value (`all` vs a list) is a type mismatch too.
    if (i.code === "invalid_value") return !i.values.some((v) => typeof v === typeof value && (v === null) === (value === null));
    if (i.code !== "invalid_union" || i.discriminator) return false;
    const keyed = i.pgSchema ? KEYED_UNIONS.get(i.pgSchema) : undefined;
    if (keyed) return !isPlainObject(value);
    const errs = (i.errors ?? []) as Issue[][];
    return errs.length > 0 && errs.every((b) => rootMismatch(b, value));
  });
}

/** What a branch that mismatched at the root expected: "a mapping", "'all'", "a condition". */
function expectedOf(branch: Issue[]): string[] {
  return branch.flatMap((i) => {
    if (i.path.length !== 0) return [];
    if (i.code === "invalid_type") return [TYPE_WORDS[i.expected] ?? i.expected];
    if (i.code === "invalid_value") return i.values.map((v) => (typeof v === "string" ? `'${v}'` : String(v)));
    if (i.code === "invalid_union" && !i.discriminator) {
      const keyed = i.pgSchema ? KEYED_UNIONS.get(i.pgSchema) : undefined;
      if (keyed) return [`a ${keyed.noun}`];
      if (!i.pgDefault) return [];
      return ((i.errors ?? []) as Issue[][]).flatMap(expectedOf);
    }
    return [];
  });
}

function orList(items: string[]): string {
  const u = [...new Set(items)];
  return u.length <= 1 ? (u[0] ?? "something else") : `${u.slice(0, -1).join(", ")} or ${u[u.length - 1]}`;
}

function convertUnion(iss: Issue & z.core.$ZodIssueInvalidUnion, path: Path, value: unknown, data: unknown, out: Problem[]): void {
  // A discriminated union (fault / action) whose discriminator value is unknown.
  if (iss.discriminator) {
    const noun = iss.discriminator === "fault" ? "fault type" : iss.discriminator === "action" ? "action" : `'${iss.discriminator}' value`;
    const allowed = ((iss as { options?: unknown[] }).options ?? []).map(String);
    if (typeof value !== "string") {
      out.push({ path, at: "value", message: `expected ${noun === "action" ? "an action" : `a ${noun}`} name, got ${typeName(value)}`, allowed });
    } else {
      out.push({ path, at: "value", message: `unknown ${noun} '${value}'`, allowed, suggestion: closest(value, allowed) });
    }
    return;
  }

  const branches = (iss.errors ?? []) as Issue[][];
  const keyed = iss.pgSchema ? KEYED_UNIONS.get(iss.pgSchema) : undefined;
  if (keyed) {
    const keys = [...keyed.keys];
    const noun = keyed.noun;
    if (!isPlainObject(value)) {
      out.push({ path, at: "value", message: `expected a ${noun} (a mapping with one of the keys ${keys.join(", ")}), got ${typeName(value)}` });
      return;
    }
    const present = Object.keys(value).filter((k) => keys.includes(k)); // in source order
    if (present.length === 1) {
      for (const b of branches[keys.indexOf(present[0])] ?? []) convert(b, path, data, out);
      return;
    }
    if (present.length > 1) {
      const hint = noun === "condition" ? " (write several conditions as a list)" : "";
      out.push({
        path: [...path, present[1]],
        at: "key",
        message: `a ${noun} has exactly one of the keys ${keys.join(", ")}; found ${present.map((k) => `'${k}'`).join(" and ")}${hint}`,
      });
      return;
    }
    const own = Object.keys(value);
    if (!own.length) {
      out.push({ path, at: "value", message: `empty ${noun}: a ${noun} needs one of the keys ${keys.join(", ")}` });
      return;
    }
    if (keyed.everyKeySelects) {
      for (const k of own) {
        out.push({ path: [...path, k], at: "key", message: `unknown ${noun} '${k}'`, allowed: keys, suggestion: closest(k, keys) });
      }
      return;
    }
    // Other keys may be legitimate (id, note, targets ...): report the likely typo, if any.
    const typo = own.map((k) => ({ k, s: closest(k, keys) })).find((x) => x.s !== undefined);
    if (typo) {
      out.push({ path: [...path, typo.k], at: "key", message: `unknown key '${typo.k}'; a ${noun} needs one of the keys ${keys.join(", ")}`, suggestion: typo.s });
    } else {
      out.push({ path, at: "value", message: `a ${noun} needs one of the keys ${keys.join(", ")}` });
    }
    return;
  }

  // A plain union: drop the branches whose type does not match at all.
  const candidates = branches.filter((b) => !rootMismatch(b, value));
  if (candidates.length === 0) {
    if (!iss.pgDefault) {
      out.push({ path, at: "value", message: iss.message });
      return;
    }
    out.push({ path, at: "value", message: `expected ${orList(branches.flatMap(expectedOf))}, got ${typeName(value)}` });
    return;
  }
  // Several candidates: a literal branch that did not match plus an object branch and the
  // like. Report the one with the fewest complaints (the closest fit).
  const best = candidates.reduce((a, b) => (b.length < a.length ? b : a));
  // If the input is a scalar and another candidate lists literal values, merge the allowed lists.
  const literalValues = candidates.flatMap((b) => b.filter((i) => i.path.length === 0 && i.code === "invalid_value").flatMap((i) => (i as z.core.$ZodIssueInvalidValue).values.map(String)));
  const before = out.length;
  for (const b of best) convert(b, path, data, out);
  if (literalValues.length && out.length === before + 1 && out[before].allowed) {
    out[before].allowed = [...new Set([...out[before].allowed!, ...literalValues])];
  }
}
