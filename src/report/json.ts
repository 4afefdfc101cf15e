import type { RunReport } from "./model.js";
import { redactDeep } from "./redact.js";

/**
 * Keys that come first, in this order, in every object; all other keys follow alphabetically.
 * The order does not depend on how an object was built, so report.json diffs cleanly.
 */
const PREFERRED = [
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
  "kind",
  "t",
  "tEnd",
  "type",
  "checker",
  "name",
  "id",
  "index",
  "phase",
  "node",
  "ok",
  "unknown",
  "summary",
  "message",
  "events",
];
const RANK = new Map(PREFERRED.map((k, i) => [k, i]));

export function sortedKeys(o: object): string[] {
  return Object.keys(o).sort((a, b) => {
    const ra = RANK.get(a) ?? Infinity;
    const rb = RANK.get(b) ?? Infinity;
    if (ra !== rb) return ra - rb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Plain data with object keys in the stable order (undefined members dropped, as JSON does). */
export function canonical(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return canonical((v as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(v)) return v.map(canonical);
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined && typeof x !== "function") out[k] = canonical(x);
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
