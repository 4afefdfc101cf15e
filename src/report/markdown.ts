import type { RunOutcome, RunReport } from "./model.js";
import { redact, redactDeep } from "./redact.js";
import { formatDuration, formatT, stepSpan } from "./text.js";
import { dcsWatchLine } from "./dcs-watch-facts.js";

export interface MarkdownOptions {
  secrets?: readonly string[];
  /** Evidence items listed per verdict. Default 30. */
  maxEvidence?: number;
}

const ICON: Record<RunOutcome, string> = { pass: "✅", fail: "❌", error: "⚠️", known: "🔶", skipped: "⏭️" };

/** Text for a table cell: no pipes, no line breaks, no raw HTML. */
export function cell(s: string | number | undefined | null): string {
  if (s === undefined || s === null) return "";
  return String(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

/** Inline text outside tables: no raw HTML. */
function inline(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `code` span that survives backticks in the text. */
function code(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

function fenced(s: string, lang = ""): string {
  const longest = Math.max(2, ...(s.match(/`{3,}/g) ?? []).map((m) => m.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${s.replace(/\n$/, "")}\n${fence}`;
}

function table(head: string[], rows: (string | number | undefined | null)[][], align?: string[]): string {
  const sep = align ?? head.map(() => "---");
  return [`| ${head.join(" | ")} |`, `| ${sep.join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

function verdictLine(r: RunReport): string {
  const failedChecks = r.verdicts.filter((v) => !v.ok);
  const failedSteps = r.steps.filter((s) => s.outcome === "fail");
  const parts: string[] = [];
  if (r.outcome === "error") parts.push(`infrastructure error: ${inline(r.error ?? "unknown")}`);
  if (r.outcome === "known") parts.push(`every failure is a known issue (${(r.knownIssues ?? []).filter((k) => k.showed).map((k) => k.id).join(", ")})`);
  if (r.outcome === "skipped") parts.push(`skipped: ${inline(r.skipped ?? "")}`);
  if (r.verdicts.length)
    parts.push(
      failedChecks.length
        ? `${failedChecks.length} of ${r.verdicts.length} checkers failed (${failedChecks.map((v) => v.checker).join(", ")})`
        : `all ${r.verdicts.length} checkers passed`,
    );
  if (r.steps.length)
    parts.push(failedSteps.length ? `${failedSteps.length} of ${r.steps.length} steps failed` : `all ${r.steps.length} steps passed`);
  return `**Verdict: ${r.outcome.toUpperCase()}** — ${parts.join("; ") || "nothing was checked"}.`;
}

/** report.md: what a person reads first after a run. */
export function renderMarkdown(report: RunReport, opts: MarkdownOptions = {}): string {
  const secrets = opts.secrets ?? [];
  const r = redactDeep(report, secrets);
  const maxEvidence = opts.maxEvidence ?? 30;
  const out: string[] = [];
  const sc = r.scenario;

  out.push(`# ${ICON[r.outcome]} ${r.outcome.toUpperCase()}: ${inline(sc.name)}`, "", verdictLine(r), "");
  const header: [string, string][] = [["Run", code(r.runId)]];
  if (sc.file) header.push(["Scenario file", code(sc.file)]);
  if (sc.incident) header.push(["Incident", cell(sc.incident)]);
  header.push(["Started", `${cell(r.startedAt)} (t = 0 at ${cell(r.origin)})`]);
  header.push(["Ended", cell(r.endedAt)]);
  header.push(["Duration", `${formatDuration(r.durations.totalMs)} (timeline ${formatDuration(r.durations.historyMs)})`]);
  if (r.options?.seed !== undefined) header.push(["Seed", `${code(String(r.options.seed))}${r.options.timeScale !== undefined ? ` (time scale ${r.options.timeScale})` : ""}`]);
  if (r.topology.nodes.length)
    header.push([
      "Topology",
      cell(`${r.topology.scope ? `scope ${r.topology.scope}: ` : ""}${r.topology.nodes.map((n) => `${n.name} (${n.kind})`).join(", ")}`),
    ]);
  out.push("| | |", "|---|---|", ...header.map(([k, v]) => `| ${k} | ${v} |`), "");

  if (sc.description) out.push("## Scenario", "", inline(sc.description.trim()), "");

  out.push("## Steps", "");
  if (r.steps.length)
    out.push(
      table(
        ["#", "time", "step", "outcome", "detail"],
        r.steps.map((s) => [
          s.index + 1,
          stepSpan(s),
          `${s.type}: ${s.text}${s.line !== undefined ? ` (line ${s.line})` : ""}`,
          `${ICON[s.outcome]} ${s.outcome}`,
          s.detail,
        ]),
        ["---:", "---", "---", "---", "---"],
      ),
    );
  else out.push("No steps were recorded.");
  out.push("");

  out.push("## Faults", "");
  if (r.faults.length)
    out.push(
      table(
        ["id", "fault", "targets", "injected", "healed", "ok"],
        r.faults.map((f) => [
          f.id,
          f.type,
          f.targets.join(", "),
          formatT(f.injectedAt),
          f.healedAt === null ? "**never**" : formatT(f.healedAt),
          f.ok ? "yes" : `no${f.error ? `: ${f.error}` : ""}`,
        ]),
      ),
    );
  else out.push("No faults were injected.");
  out.push("");

  if (r.actions.length) {
    out.push("## Actions", "");
    out.push(
      table(
        ["id", "action", "time", "result", "detail"],
        r.actions.map((a) => [
          a.id,
          a.action,
          `${formatT(a.t)} → ${formatT(a.tEnd)}`,
          `${a.ok ? "ok" : "failed"}${a.status !== undefined ? ` (HTTP ${a.status})` : ""}`,
          truncate(a.error ?? a.body ?? "", 200),
        ]),
      ),
      "",
    );
  }

  out.push("## Checkers", "");
  if (!r.verdicts.length) out.push("No checker ran.", "");
  for (const v of r.verdicts) {
    const state = v.ok ? "✅ passed" : v.unknown ? "⚠️ unknown (not ok)" : "❌ failed";
    out.push(`### ${inline(v.checker)}: ${state}`, "", inline(v.summary), "");
    if (v.evidence.length) {
      for (const e of v.evidence.slice(0, maxEvidence)) out.push(`- ${inline(e.message)}`);
      if (v.evidence.length > maxEvidence)
        out.push(`- … and ${v.evidence.length - maxEvidence} more (see ${code("report.json")}).`);
      out.push("");
    }
    const figs = Object.entries(v.figures ?? {});
    if (figs.length) out.push(`<sub>${figs.map(([k, x]) => `${cell(k)} = ${x}`).join(" · ")}</sub>`, "");
  }

  const w = r.workload;
  out.push("## Workload", "");
  if (w.attempted) {
    const rows: (string | number)[][] = [["all", w.attempted, w.ok, w.fail, w.unknown, w.notSent, `${w.rate}/s`, `${w.okRate}/s`]];
    for (const [via, c] of Object.entries(w.byVia)) if (c) rows.push([via, c.attempted, c.ok, c.fail, c.unknown, "", "", ""]);
    out.push(table(["via", "attempted", "ok", "failed", "unknown", "not sent", "rate", "ok rate"], rows), "");
    out.push(`Workload span ${formatDuration(w.spanMs)}.`, "");
  } else out.push("No workload ran.", "");

  if (r.dcsWatch) out.push("## DCS watch", "", inline(dcsWatchLine(r.dcsWatch)), "");

  if (r.knownIssues?.length) {
    out.push("## Known issues", "");
    for (const k of r.knownIssues) {
      out.push(`- **${inline(k.id)}**: ${k.showed ? `showed; explains ${k.matched.map(code).join(", ")}` : inline(k.why ?? "did not show")}. ${inline(k.summary)}${k.reference ? ` (${k.reference})` : ""}`);
      for (const e of k.evidence) out.push(`  - evidence: ${code(e)}`);
    }
    out.push("");
  }
  if (r.findings?.length) {
    out.push("## Findings", "", "What Patroni did otherwise than documented:", "");
    for (const f of r.findings) out.push(`- ${inline(f)}`);
    out.push("");
  }

  out.push("## Versions", "");
  const vers: [string, string][] = [
    ["PostgreSQL", r.versions.postgresql],
    ["Patroni", r.versions.patroni],
    ["etcd", r.versions.etcd],
  ];
  if (r.versions.haproxy) vers.push(["HAProxy", r.versions.haproxy]);
  if (r.versions.pgchaos) vers.push(["pgchaos", r.versions.pgchaos]);
  if (r.versions.stack) vers.push(["stack", r.versions.stack]);
  if (r.versions.image) vers.push(["image", r.versions.image]);
  out.push(table(vers.map((x) => x[0]), [vers.map((x) => x[1])]), "");
  if (r.patroniConfigOverrides?.length) {
    out.push("Your patroni.yml settings pgchaos kept its own value for:", "");
    for (const o of r.patroniConfigOverrides) out.push(`- ${inline(o)}`);
    out.push("");
  }

  out.push("## Logs", "");
  out.push(`- Full timeline (${r.events.length} events): ${code("report.json")}, member ${code("events")}.`);
  out.push(`- Journal, one event per line as recorded: ${code(r.logs?.journal ?? "journal.jsonl")}.`);
  if (r.logs?.dir) out.push(`- Container logs: ${code(r.logs.dir)}.`);
  out.push(`- JUnit: ${code("junit.xml")}.`, "");

  if (sc.text) out.push("<details><summary>Scenario source</summary>", "", fenced(sc.text, "yaml"), "", "</details>", "");

  return redact(out.join("\n"), secrets);
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
