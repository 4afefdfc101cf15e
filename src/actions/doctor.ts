import type { Action } from "./action.js";
import { runDoctor } from "../doctor/index.js";
import { labTarget } from "../doctor/lab-target.js";
import { formatDoctor } from "../doctor/format.js";
import type { FindingCode } from "../doctor/model.js";

type P = { expect_findings?: FindingCode[]; expect_clean?: boolean };

/**
 * `pgchaos doctor` against the lab, as a preflight step: the same read-only checks, through the
 * lab's port mapping. Status = the doctor's exit code (0 clean, 1 findings, 2 unreadable); the
 * body lists the findings, then the doctor's table. Succeeds when the expectations hold:
 * `expect_clean` = no finding; `expect_findings` = each of these codes was found (others may be too).
 */
export const doctorAction: Action<P> = {
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
};
