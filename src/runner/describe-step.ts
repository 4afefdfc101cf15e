import { z } from "zod";
import type { Step } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import { FAULTS, LIVE_UPDATE_PARAMS } from "../faults/registry.js";
import { DURATION_SCHEMAS } from "../faults/shared/params.js";

const refText = (v: unknown): string => {
  if (v && typeof v === "object" && "text" in v) return String(v.text);
  if (Array.isArray(v)) return v.map(refText).join(", ");
  // A mapping parameter (the dcs action's value) as the JSON it stands for.
  if (v && typeof v === "object") return JSON.stringify(v);
  return String(v);
};

/** Keys every step may have, not parameters. */
const COMMON = ["kind", "id", "note", "when"];

function isDuration(schema: z.ZodType | undefined): boolean {
  if (!schema) return false;
  if (DURATION_SCHEMAS.has(schema)) return true;
  return schema instanceof z.ZodOptional || schema instanceof z.ZodDefault ? isDuration(schema.unwrap() as z.ZodType) : false;
}

/** "k=v k2=v2", durations as durations (offset=-40s, not -40000), node references as written. */
function paramText(params: object, shape: z.ZodRawShape = {}): string {
  return Object.entries(params)
    .filter(([k, v]) => !COMMON.includes(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "number" && isDuration(shape[k] as z.ZodType | undefined) ? formatDuration(v) : refText(v)}`)
    .join(" ");
}

function conditionText(c: { type: string }): string {
  const rest = Object.entries(c)
    .filter(([k]) => k !== "type")
    .map(([k, v]) => `${k} ${refText(v)}`)
    .join(", ");
  return rest ? `${c.type} (${rest})` : c.type;
}

/** One line a person reads in progress output and the report: "expect leader (is pg2) within 30s". */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "sleep":
      return `sleep ${formatDuration(step.sleep)}`;
    case "heal":
      return `heal ${step.heal}`;
    case "update": {
      const { update, ...params } = step;
      const text = paramText(params, LIVE_UPDATE_PARAMS);
      return `update ${update}${text ? ` ${text}` : ""}`;
    }
    case "fault": {
      // "fault etcd-quorum-loss mode=pause", "fault clock-skew targets=pg1 offset=-40s"
      const { fault, duration, ...params } = step;
      const text = paramText(params, FAULTS[fault].params);
      return `fault ${fault}${text ? ` ${text}` : ""}${duration !== undefined ? ` duration=${formatDuration(duration)}` : ""}`;
    }
    case "action": {
      // "action switchover candidate=pg2"
      const { action, ...params } = step;
      const text = paramText(params);
      return `action ${action}${text ? ` ${text}` : ""}`;
    }
    case "expect": {
      const conds = step.expect.map(conditionText).join(" and ");
      const when = step.within !== undefined ? ` within ${formatDuration(step.within)}` : step.for !== undefined ? ` for ${formatDuration(step.for)}` : "";
      return `expect ${conds}${when}`;
    }
  }
}
