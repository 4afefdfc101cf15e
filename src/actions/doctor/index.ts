import { z } from "zod";
import { defineAction } from "../kind.js";
import { runDoctor } from "../../doctor/index.js";
import { labTarget } from "../../doctor/lab-target.js";
import { formatDoctor } from "../../doctor/format.js";
import { FINDING_CODES } from "../../doctor/model.js";

/**
 * `pgchaos doctor` against the lab, as a preflight step: the same read-only checks, through the
 * lab's port mapping. Status = the doctor's exit code (0 clean, 1 findings, 2 unreadable); the
 * body lists the findings, then the doctor's table. Succeeds when the expectations hold:
 * `expect_clean` = no finding; `expect_findings` = each of these codes was found (others may be too).
 */
export const doctor = defineAction({
  type: "doctor",
  description:
    "Run pgchaos doctor's read-only checks against the lab (advertised REST and PostgreSQL addresses, lag as the DCS and the switchover check see it, clocks, etcd health, failsafe, timings) and record the findings.",
  params: {
    expect_findings: z
      .array(z.enum(FINDING_CODES))
      .min(1)
      .optional()
      .describe(`Finding codes that must all be found (others may be too): ${FINDING_CODES.join(", ")}.`),
    expect_clean: z.boolean().optional().describe("true: the doctor must find nothing."),
  },
  explore: { notExplored: "a read-only check with expectations of its own, not a stimulus" },
  collectsPatroniLog: false,
  async run(p, ctx) {
    const r = await runDoctor(labTarget(ctx.lab));
    if (r.exitCode === 2) return { status: 2, succeeded: false, error: r.error };
    const found = [...new Set(r.findings.map((f) => f.code))];
    const missing = (p.expect_findings ?? []).filter((c) => !found.includes(c));
    const problems: string[] = [];
    if (p.expect_clean && r.findings.length) problems.push(`expected no finding`);
    if (missing.length) problems.push(`expected finding${missing.length > 1 ? "s" : ""} missing: ${missing.join(", ")}`);
    const summary = r.findings.length ? `findings: ${r.findings.map((f) => `${f.code} (${f.subject})`).join(", ")}` : "no findings";
    return {
      status: r.exitCode,
      succeeded: problems.length === 0,
      body: `${problems.length ? `${problems.join("; ")}; ` : ""}${summary}\n\n${formatDoctor(r)}`,
    };
  },
});
