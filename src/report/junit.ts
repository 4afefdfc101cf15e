import type { RunReport } from "./model.js";
import { redact, redactDeep } from "./redact.js";
import { formatT, runLog } from "./text.js";
import { xmlAttr, xmlText } from "./xml.js";

export interface JUnitOptions {
  /** Strings never to write. */
  secrets?: readonly string[];
  /** Evidence lines per failed verdict in the failure text. Default 20. */
  maxEvidence?: number;
  hostname?: string;
}

interface Problem {
  type: string;
  message: string;
  details: string;
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

/** xs:dateTime without zone or fraction (the form Ant's schema insists on), in UTC. */
function timestamp(iso: string): string | undefined {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString().slice(0, 19);
}

function problems(r: RunReport, maxEvidence: number): Problem[] {
  const out: Problem[] = [];
  for (const s of r.steps.filter((x) => x.outcome === "fail")) {
    const message = `step ${s.index + 1} (${s.id}) failed: ${s.text}${s.detail ? `: ${s.detail}` : ""}`;
    out.push({
      type: `step.${s.type}`,
      message,
      details: `${message}\n  at ${formatT(s.tStart)}${s.line !== undefined ? `, ${r.scenario.file ?? "scenario"} line ${s.line}` : ""}`,
    });
  }
  for (const v of r.verdicts.filter((x) => !x.ok)) {
    const message = `${v.checker}${v.unknown ? " (unknown)" : ""}: ${v.summary}`;
    const ev = v.evidence.slice(0, maxEvidence).map((e) => `  - ${e.message}`);
    if (v.evidence.length > maxEvidence) ev.push(`  - ... ${v.evidence.length - maxEvidence} more in report.json`);
    out.push({ type: `verdict.${v.checker}`, message, details: [message, ...ev].join("\n") });
  }
  return out;
}

function testcase(r: RunReport, maxEvidence: number): string {
  const classname = `pgchaos.${r.scenario.incident ?? "scenario"}`;
  const ps = problems(r, maxEvidence);
  const lines: string[] = [];
  lines.push(`    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(r.scenario.name)}" time="${seconds(r.durations.totalMs)}">`);
  if (r.outcome === "skipped") {
    lines.push(`      <skipped message="${xmlAttr(truncate(r.skipped ?? "skipped", 1000))}"/>`);
  } else if (r.outcome === "error") {
    const details = [`infrastructure error: ${r.error ?? "unknown error"}`, ...ps.map((p) => p.details)].join("\n\n");
    lines.push(`      <error message="${xmlAttr(r.error ?? "error")}" type="infrastructure">${xmlText(details)}</error>`);
  } else if (r.outcome === "known") {
    // A known upstream issue is neither a pass nor a failure: skipped, with its reference.
    const shown = (r.knownIssues ?? []).filter((k) => k.showed);
    const message = `known issue${shown.length === 1 ? "" : "s"}: ${shown.map((k) => `${k.id}${k.reference ? ` (${k.reference})` : ""}`).join(", ")}`;
    const details = [
      message,
      ...shown.map((k) => `${k.id}: ${k.summary}\n  explains: ${k.matched.join(", ")}\n${k.evidence.map((e) => `  evidence: ${e}`).join("\n")}`),
      ...ps.map((p) => p.details),
    ].join("\n\n");
    lines.push(`      <skipped message="${xmlAttr(truncate(message, 1000))}">${xmlText(details)}</skipped>`);
  } else if (ps.length > 0) {
    const message = ps.length === 1 ? ps[0].message : `${ps.length} problems: ${ps.map((p) => p.message).join("; ")}`;
    const type = ps.length === 1 ? ps[0].type : [...new Set(ps.map((p) => p.type))].join(",");
    lines.push(
      `      <failure message="${xmlAttr(truncate(message, 1000))}" type="${xmlAttr(type)}">${xmlText(ps.map((p) => p.details).join("\n\n"))}</failure>`,
    );
  }
  lines.push(`      <system-out>${xmlText(runLog(r))}</system-out>`);
  lines.push(`    </testcase>`);
  return lines.join("\n");
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * junit.xml for one run or a game day: one <testsuite name="pgchaos"> with one <testcase> per
 * scenario run. A failed step or verdict becomes one <failure> (all problems in its text), an
 * infrastructure error an <error>, a run whose failures are all known issues a <skipped> (not a
 * failure) naming them and their references; <system-out> holds the run's step log.
 */
export function renderJUnit(reports: RunReport | readonly RunReport[], opts: JUnitOptions = {}): string {
  const secrets = opts.secrets ?? [];
  const rs = (Array.isArray(reports) ? reports : [reports as RunReport]).map((r) => redactDeep(r, secrets));
  const maxEvidence = opts.maxEvidence ?? 20;
  const failures = rs.filter((r) => r.outcome === "fail").length;
  const errors = rs.filter((r) => r.outcome === "error").length;
  const skipped = rs.filter((r) => r.outcome === "known" || r.outcome === "skipped").length;
  const time = seconds(rs.reduce((acc, r) => acc + r.durations.totalMs, 0));
  const first = [...rs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))[0];
  const ts = first ? timestamp(first.startedAt) : undefined;
  const counts = `tests="${rs.length}" failures="${failures}" errors="${errors}"`;

  const props: [string, string][] = [];
  for (const r of rs) props.push([`runId.${r.scenario.name}`, r.runId]);
  if (first) for (const k of ["postgresql", "patroni", "etcd"] as const) props.push([k, first.versions[k]]);
  for (const r of rs) for (const k of r.knownIssues ?? []) if (k.showed) props.push([`knownIssue.${r.scenario.name}.${k.id}`, k.reference ?? k.summary]);

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<testsuites name="pgchaos" ${counts} time="${time}">`);
  out.push(
    `  <testsuite name="pgchaos" ${counts} skipped="${skipped}" time="${time}"` +
      `${ts ? ` timestamp="${ts}"` : ""}${opts.hostname ? ` hostname="${xmlAttr(opts.hostname)}"` : ""}>`,
  );
  out.push(`    <properties>`);
  for (const [name, value] of props) out.push(`      <property name="${xmlAttr(name)}" value="${xmlAttr(value)}"/>`);
  out.push(`    </properties>`);
  for (const r of rs) out.push(testcase(r, maxEvidence));
  const summary = rs.map((r) => `${r.outcome.toUpperCase()}  ${r.scenario.name}  (${r.runId})`).join("\n");
  out.push(`    <system-out>${xmlText(summary)}</system-out>`);
  out.push(`    <system-err></system-err>`);
  out.push(`  </testsuite>`);
  out.push(`</testsuites>`);
  return redact(`${out.join("\n")}\n`, secrets);
}
