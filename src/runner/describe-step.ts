import type { Step } from "../scenario/schema.js";

const refText = (v: unknown): string => {
  if (v && typeof v === "object" && "text" in v) return String((v as { text: string }).text);
  if (Array.isArray(v)) return v.map(refText).join(", ");
  return String(v);
};

/** Bookkeeping keys of a loaded step, not parameters. */
const HIDDEN = ["kind", "id", "note", "index", "line", "label"];

function conditionText(c: { type: string } & Record<string, unknown>): string {
  const rest = Object.entries(c)
    .filter(([k]) => k !== "type")
    .map(([k, v]) => `${k} ${refText(v)}`)
    .join(", ");
  return rest ? `${c.type} (${rest})` : c.type;
}

/** One line a person reads in progress output and the report: "expect leader (is pg2) within 30s". */
export function describeStep(step: Step): string {
  const s = step as Step & Record<string, unknown>;
  switch (step.kind) {
    case "sleep":
      return `sleep ${step.sleep / 1000}s`;
    case "heal":
      return `heal ${step.heal}`;
    case "update":
      return `update ${step.update}${step.offset !== undefined ? ` offset=${step.offset / 1000}s` : ""}`;
    case "fault":
    case "action": {
      // "fault etcd-quorum-loss mode=pause", "action switchover candidate=pg2"
      const params = Object.entries(s)
        .filter(([k]) => !HIDDEN.includes(k) && k !== step.kind)
        .map(([k, v]) => `${k}=${refText(v)}`)
        .join(" ");
      return `${step.kind} ${String(s[step.kind])}${params ? ` ${params}` : ""}`;
    }
    case "expect": {
      const conds = (step.expect as ({ type: string } & Record<string, unknown>)[]).map(conditionText).join(" and ");
      const when = step.within !== undefined ? ` within ${step.within / 1000}s` : step.for !== undefined ? ` for ${step.for / 1000}s` : "";
      return `expect ${conds}${when}`;
    }
  }
}
