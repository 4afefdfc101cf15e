/** Parameter pieces several condition kinds share. */
import { z } from "zod";
import { STEP_ID_PATTERN, nodeRef, show } from "../../scenario/primitives.js";

export const ROLES = ["primary", "replica", "demoted", "down", "unknown"] as const;
export type ExpectedRole = (typeof ROLES)[number];

export const patroniNode = (d = "The Patroni node.") => nodeRef(["patroni"], d);
export const nodeOrAll = (d: string) => z.union([z.literal("all"), patroniNode()]).describe(d);

/** Exactly one of `keys` must be present. */
export function exactlyOne(keys: readonly string[], what: string) {
  return (v: object, ctx: z.core.$RefinementCtx<object>) => {
    const present = keys.filter((k) => k in v);
    if (present.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          present.length === 0
            ? `${what} needs one of ${keys.join(", ")}`
            : `${what} takes only one of ${keys.join(", ")}; found ${present.join(" and ")}`,
        path: present.length > 1 ? [present[1]] : [],
        input: v,
      });
    }
  };
}

export const validRegex = z
  .string()
  .min(1)
  .superRefine((s, ctx) => {
    try {
      new RegExp(s);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `invalid regular expression ${show(s)}: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`, input: s });
    }
  })
  .describe("JavaScript regular expression (no flags) matched against each log line.");

/** `since: <step id>`: an earlier step's id, or `start`. */
export const sinceStep = (description: string) =>
  z
    .string()
    .regex(STEP_ID_PATTERN, { error: (iss) => `invalid step id ${show(iss.input)}: use an earlier step's id or start` })
    .optional()
    .describe(description);
