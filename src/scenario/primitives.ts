/**
 * Building blocks shared by the scenario schema and the fault/action/condition registries:
 * durations, sizes, node references, target lists, step ids, and "keyed unions" (a mapping
 * whose single key selects its type, such as a condition `{ leader: none }`).
 */
import { z } from "zod";
import {
  DURATION_HELP,
  DURATION_PATTERN,
  MAX_DURATION_TEXT,
  SIGNED_DURATION_HELP,
  SIGNED_DURATION_PATTERN,
  SIZE_HELP,
  SIZE_PATTERN,
  parseDuration,
  parseSize,
} from "./units.js";

/** Kinds of nodes in a lab. */
export type NodeKind = "patroni" | "etcd" | "haproxy";
export const NODE_KINDS: readonly NodeKind[] = ["patroni", "etcd", "haproxy"];

/** Node names of the scenario's topology, by kind. */
export type TopologyNodes = Record<NodeKind, string[]>;

/** A fault's or action's parameters after parsing (defaults applied, node references as NodeRef objects). */
export type ParamsOf<S extends z.ZodRawShape> = z.output<z.ZodObject<S>>;

/** A problem a kind's topology check found, at a path relative to its step. */
export interface StepProblem {
  path: (string | number)[];
  message: string;
}

/**
 * A node reference after parsing.
 * - `{ type: "node" }`: a fixed node by name (`pg2`, `e1`, `haproxy`).
 * - `{ type: "leader" | "replica" | "sync", step }`: the node that held that role when step `step`
 *   began (`start` = when the scenario's first step begins); `sync` is the synchronous standby
 *   Patroni's /sync key named for that leader (synchronous_mode). Always a Patroni node.
 * `text` is the reference as written, for messages and reports.
 */
export type NodeRef =
  | { type: "node"; text: string; name: string; nodeKind: NodeKind }
  | { type: "leader" | "replica" | "sync"; text: string; step: string };

export const STEP_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const NODE_NAME_PATTERN = /^(?:pg[1-9][0-9]*|e[1-9][0-9]*|haproxy)$/;
export const NODE_REF_PATTERN = /^(?:pg[1-9][0-9]*|e[1-9][0-9]*|haproxy|(?:leader|replica|sync)@[a-z0-9][a-z0-9_-]*)$/;
/** Step ids a scenario may not use: `start` (NodeRef origin), `all` (heal: all), `step-<n>` (default labels). */
export const RESERVED_STEP_ID = /^(?:start|all|step-[0-9]+)$/;

export function nodeKindOf(name: string): NodeKind {
  if (name === "haproxy") return "haproxy";
  return name.startsWith("pg") ? "patroni" : "etcd";
}

const KIND_PATTERN: Record<NodeKind, string> = {
  patroni: "pg[1-9][0-9]*|(?:leader|replica|sync)@[a-z0-9][a-z0-9_-]*",
  etcd: "e[1-9][0-9]*",
  haproxy: "haproxy",
};

const KIND_TEXT: Record<NodeKind, string> = {
  patroni: "a Patroni node (pg1, pg2, ...)",
  etcd: "an etcd member (e1, e2, ...)",
  haproxy: "the haproxy node",
};

function kindsText(kinds: readonly NodeKind[]): string {
  return kinds.map((k) => KIND_TEXT[k]).join(" or ");
}

/** Node kinds each NodeRef object was allowed to name (read by the semantic checks). */
export const NODE_REF_KINDS = new WeakMap<NodeRef, readonly NodeKind[]>();

export function isNodeRef(v: unknown): v is NodeRef {
  return typeof v === "object" && v !== null && NODE_REF_KINDS.has(v as NodeRef);
}

/** Parse a NodeRef string (already known to match NODE_REF_PATTERN). */
export function parseNodeRef(text: string): NodeRef {
  const at = text.indexOf("@");
  if (at >= 0) return { type: text.slice(0, at) as "leader" | "replica" | "sync", text, step: text.slice(at + 1) };
  return { type: "node", text, name: text, nodeKind: nodeKindOf(text) };
}

/** Schema of one NodeRef that must resolve to a node of one of `kinds`. */
export function nodeRef(kinds: readonly NodeKind[] = ["patroni"], description?: string) {
  const refs = kinds.includes("patroni") ? " or leader@<step id> / replica@<step id> / sync@<step id>" : "";
  const names = kinds.map((k) => (k === "patroni" ? "pg1.." : k === "etcd" ? "e1.." : "haproxy")).join(", ");
  const schema = z
    .string()
    .regex(NODE_REF_PATTERN, { error: (iss) => `invalid node reference ${show(iss.input)}: use a node name (${names})${refs}` })
    // Editors get the pattern of exactly the allowed kinds; the loader explains a wrong kind.
    .meta({ pattern: `^(?:${kinds.map((k) => KIND_PATTERN[k]).join("|")})$` })
    .transform((text, ctx) => {
      const ref = parseNodeRef(text);
      const kind: NodeKind = ref.type === "node" ? ref.nodeKind : "patroni";
      if (!kinds.includes(kind)) {
        const what = ref.type === "node" ? `'${text}' is ${KIND_TEXT[kind]}` : `'${text}' refers to a Patroni node`;
        ctx.addIssue({ code: "custom", message: `${what}, but ${kindsText(kinds)} is required here`, input: text });
        return z.NEVER;
      }
      NODE_REF_KINDS.set(ref, kinds);
      return ref;
    });
  return schema.describe(
    description ??
      `${kinds.length === 1 ? KIND_TEXT[kinds[0]] : kindsText(kinds)}${kinds.includes("patroni") ? ", or leader@<step id> / replica@<step id> / sync@<step id> (the node holding that role when the step began, sync: the synchronous standby of synchronous_mode; 'start' = when the first step began)" : ""}`,
  );
}

/** Schema of a target list: one NodeRef or a list of them, normalised to a list. */
export function targets(kinds: readonly NodeKind[], opts: { max?: number; description?: string } = {}) {
  const one = nodeRef(kinds);
  const desc =
    opts.description ?? `Nodes the fault acts on: ${kindsText(kinds)}${kinds.includes("patroni") ? " or leader@/replica@/sync@ references" : ""}; one or a list.`;
  const list =
    opts.max === undefined
      ? z.array(one).min(1)
      : z
          .array(one)
          .min(1)
          .max(opts.max, { error: opts.max === 1 ? "takes a single node here" : `takes at most ${opts.max} nodes here` });
  return z
    .union([one, list])
    .transform((v): NodeRef[] => (Array.isArray(v) ? v : [v]))
    .superRefine((refs, ctx) => {
      const seen = new Set<string>();
      refs.forEach((r, i) => {
        if (seen.has(r.text)) ctx.addIssue({ code: "custom", message: `'${r.text}' is listed twice`, path: [i], input: r.text });
        seen.add(r.text);
      });
    })
    .describe(desc);
}

export function stepIdSchema(description: string) {
  return z
    .string()
    .regex(STEP_ID_PATTERN, { error: (iss) => `invalid step id ${show(iss.input)}: use lowercase letters, digits, '-' and '_', starting with a letter or digit` })
    .refine((s) => !RESERVED_STEP_ID.test(s), { error: (iss) => `step id ${show(iss.input)} is reserved (start, all and step-<n> have a meaning of their own)` })
    .describe(description);
}

/** parseDuration inside a schema: its errors (e.g. longer than 24h) become issues, not exceptions. */
function toMs(v: string | number, ctx: z.core.$RefinementCtx<string | number>, opts: { signed?: boolean; positive?: string }): number {
  try {
    const ms = parseDuration(v, { signed: opts.signed });
    if (opts.positive !== undefined && ms <= 0) {
      ctx.addIssue({ code: "custom", message: `invalid duration ${show(v)}: must be more than 0 (${opts.positive})`, input: v });
      return z.NEVER;
    }
    return ms;
  } catch (e) {
    ctx.addIssue({ code: "custom", message: (e as Error).message, input: v });
    return z.NEVER;
  }
}

/**
 * Unsigned duration -> milliseconds, at most 24h. `positive`: 0 is not allowed either, for
 * the reason given.
 */
export function duration(description: string, opts: { positive?: string } = {}) {
  return z
    .union(
      [
        z.number().min(0, { error: (iss) => `invalid duration ${show(iss.input)}: must not be negative` }),
        z.string().regex(DURATION_PATTERN, { error: (iss) => `invalid duration ${show(iss.input)}: ${/^[+-]/.test(String(iss.input)) ? "a signed duration is not allowed here; " : ""}${DURATION_HELP}` }),
      ],
      { error: (iss) => `expected a duration, got ${typeName(iss.input)}: ${DURATION_HELP}` },
    )
    .transform((v, ctx) => toMs(v, ctx, opts))
    .describe(`${description} Duration: 500ms, 2s, 1.5s, 2m, 1h; a bare number is seconds; at most ${MAX_DURATION_TEXT}.`);
}

/** Signed duration -> milliseconds (may be negative). */
export function signedDuration(description: string) {
  return z
    .union(
      [z.number(), z.string().regex(SIGNED_DURATION_PATTERN, { error: (iss) => `invalid duration ${show(iss.input)}: ${SIGNED_DURATION_HELP}` })],
      { error: (iss) => `expected a signed duration, got ${typeName(iss.input)}: ${SIGNED_DURATION_HELP}` },
    )
    .transform((v, ctx) => toMs(v, ctx, { signed: true }))
    .describe(`${description} Signed duration: -40s, +1.5s, 500ms; a bare number is seconds; at most ${MAX_DURATION_TEXT} either way.`);
}

/** Size -> bytes (1 MB = 1048576, as in PostgreSQL). */
export function size(description: string) {
  return z
    .union(
      [
        z
          .number()
          .refine(Number.isInteger, { error: (iss) => `invalid size ${show(iss.input)}: a bare number is bytes and must be an integer` })
          .refine((n) => n >= 0, { error: (iss) => `invalid size ${show(iss.input)}: must not be negative` }),
        z.string().regex(SIZE_PATTERN, { error: (iss) => `invalid size ${show(iss.input)}: ${SIZE_HELP}` }),
      ],
      { error: (iss) => `expected a size, got ${typeName(iss.input)}: ${SIZE_HELP}` },
    )
    .transform((v, ctx) => {
      try {
        return parseSize(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message, input: v });
        return z.NEVER;
      }
    })
    .describe(`${description} Size: bytes, or 512kB, 1MB, 16MiB, 1GB (1 MB = 1048576 bytes, as in PostgreSQL).`);
}

/**
 * A union of mappings each selected by one key (`{ leader: ... }`, `{ role: ... }`; or steps,
 * selected by `fault`/`action`/`expect`/`heal`/`sleep`). The loader uses this registry to
 * report the one branch that the input's key selects instead of every branch's complaint.
 */
export interface KeyedUnionInfo {
  /** Selecting key of each option, in option order. */
  keys: readonly string[];
  /** What one option is called in messages: "condition", "step". */
  noun: string;
  /** Every key of the mapping is a selecting key (conditions), so any other key is an unknown type. */
  everyKeySelects: boolean;
}
export const KEYED_UNIONS = new WeakMap<object, KeyedUnionInfo>();

export function keyedUnion<const T extends readonly [z.ZodType, ...z.ZodType[]]>(
  options: T,
  keys: readonly string[],
  noun: string,
  everyKeySelects: boolean,
  description: string,
) {
  if (keys.length !== options.length) throw new Error("keyedUnion: one key per option");
  const u = z.union(options).describe(description);
  KEYED_UNIONS.set(u, { keys, noun, everyKeySelects });
  return u;
}

export function show(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (v === undefined) return "nothing";
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Type of a parsed YAML value as users know it. */
export function typeName(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return `string '${v}'`;
  if (typeof v === "number") return `number ${v}`;
  if (typeof v === "boolean") return `boolean ${v}`;
  return typeof v;
}
