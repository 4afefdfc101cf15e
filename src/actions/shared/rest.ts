/** What the actions that go through Patroni's REST API share: `expect_status` and the outcome of a call. */
import { z } from "zod";
import type { ActionOutcome } from "../kind.js";

const status = z.number().int().min(100).max(599);

/** Expected HTTP status(es) of a REST action; normalised to a list. Absent: the action must succeed (2xx). */
export const expectStatus = () =>
  z
    .union([status, z.array(status).min(1)])
    .transform((v): number[] => (Array.isArray(v) ? v : [v]))
    .optional()
    .describe("Expected HTTP status, or a list of acceptable ones (e.g. 503 for a switchover that must be refused). Absent: the action must succeed (2xx).");

export function restOutcome(r: { status: number; text: string }): ActionOutcome {
  return { status: r.status, body: r.text.slice(0, 2000), succeeded: r.status >= 200 && r.status < 300 };
}
