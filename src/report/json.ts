import type { RunReport } from "./model.js";
import { redactDeep } from "./redact.js";

/**
 * Key order: a RunReport's members in the order of the model (events last); in every other
 * object, a few identifying keys first (kind, t, checker, ok, summary, ...), then the rest
 * alphabetically. The order never depends on how an object was built, so files diff cleanly.
 */
const TOP = [
  "schemaVersion",
  "runId",
  "outcome",
  "error",
  "scenario",
  "startedAt",
  "endedAt",
  "origin",
  "durations",
  "topology",
  "versions",
  "steps",
  "faults",
  "actions",
  "workload",
  "verdicts",
  "findings",
  "logs",
  "dcsWatch",
  "events",
];
const NESTED = ["kind", "t", "tEnd", "checker", "ok", "unknown", "summary", "type", "message", "index", "id", "name", "node"];
const rank = (list: string[]) => new Map(list.map((k, i) => [k, i]));
const TOP_RANK = rank(TOP);
const NESTED_RANK = rank(NESTED);

export function sortedKeys(o: object, top = false): string[] {
  const r = top ? TOP_RANK : NESTED_RANK;
  return Object.keys(o).sort((a, b) => {
    const ra = r.get(a) ?? Infinity;
    const rb = r.get(b) ?? Infinity;
    if (ra !== rb) return ra - rb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Plain data with object keys in the stable order (undefined members dropped, as JSON does). */
export function canonical(v: unknown, top = true): unknown {
  if (v === null || typeof v !== "object") return v;
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return canonical((v as { toJSON: () => unknown }).toJSON(), top);
  if (Array.isArray(v)) return v.map((x) => canonical(x, false));
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(v, top)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== "function") out[k] = canonical(x, false);
  }
  return out;
}

/**
 * Pretty JSON with stable key order. Arrays named in `compactArrays` (default: "events") hold
 * one compact element per line, so a long timeline stays readable and greppable.
 */
export function stableStringify(value: unknown, compactArrays: readonly string[] = ["events"]): string {
  const c = canonical(value);
  const out: string[] = [];
  const write = (v: unknown, indent: string, key: string | undefined): void => {
    if (Array.isArray(v)) {
      if (v.length === 0) return void out.push("[]");
      const inner = `${indent}  `;
      const compact = key !== undefined && compactArrays.includes(key);
      out.push("[\n");
      v.forEach((x, i) => {
        out.push(inner);
        if (compact) out.push(JSON.stringify(x) ?? "null");
        else write(x, inner, undefined);
        out.push(i < v.length - 1 ? ",\n" : "\n");
      });
      out.push(`${indent}]`);
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v);
      if (keys.length === 0) return void out.push("{}");
      const inner = `${indent}  `;
      out.push("{\n");
      keys.forEach((k, i) => {
        out.push(`${inner}${JSON.stringify(k)}: `);
        write((v as Record<string, unknown>)[k], inner, k);
        out.push(i < keys.length - 1 ? ",\n" : "\n");
      });
      out.push(`${indent}}`);
    } else {
      out.push(JSON.stringify(v) ?? "null");
    }
  };
  write(c, "", undefined);
  return out.join("");
}

/** report.json content. */
export function renderJson(report: RunReport, opts: { secrets?: readonly string[] } = {}): string {
  return `${stableStringify(redactDeep(report, opts.secrets ?? []))}\n`;
}
