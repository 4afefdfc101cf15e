import { esc } from "./html-util.js";
import type { KnownIssueResult, RunReport } from "./model.js";
import type { Versioned, VersionRanges } from "../versions/range.js";

/**
 * The upgrade table: a row per upstream bug, a column per stack (or image), each cell whether the
 * bug is present there. An "upstream bug" is a known-issue entry (known-issues/patroni.yaml or a
 * scenario's own `known_issues:`): a behaviour of the versions named that differs from what
 * Patroni documents. Built from report.json alone (every run lists every known issue of its
 * scenario, shown or not), so a game day's index and `pgchaos compare` read it the same way.
 *
 * A run of the bug's scenario on a column says, for that bug:
 * - **present**: the issue showed (versions in its range, a covered step or checker failed, every
 *   evidence line found); the matched log lines are the evidence.
 * - **absent**: it did not show and every part it covers that the run reached passed (the run
 *   may still fail elsewhere). `inRange` tells an absence outside the entry's versions (fixed, or
 *   never affected) from one inside them (the bug may be a race that did not strike this time).
 * - **undecided**: the run cannot tell: it errored, a covered part failed without the bug's
 *   evidence (another cause), was unknown, or was never reached.
 * - **not run here**: no run of the scenario on that column, or it was skipped (`requires:`).
 *
 * Several runs on one column (repeats): present if any run showed it (with the count), else
 * absent if any run was absent, else undecided, else not run here.
 */
export type BugPresence = "present" | "absent" | "undecided" | "not-run";

export interface UpstreamBugCell {
  state: BugPresence;
  /** Runs of the bug's scenario on this column (skipped ones included). */
  runs: number;
  /** Runs in which the bug showed. */
  showed: number;
  /** present: the log lines of the first run it showed in ("pg2 +36.1s: ..."). */
  evidence?: string[];
  /** absent/present: whether the column's versions lie in the entry's range (undefined for reports before 2027-01). */
  inRange?: boolean;
  /** Why a cell is undecided or not run; for absent, what passed. */
  why?: string;
  /** The run ids behind the cell. */
  runIds?: string[];
}

export interface UpstreamBugRow {
  id: string;
  scenario: string;
  summary: string;
  reference?: string;
  versions?: VersionRanges;
  fixedIn?: Partial<Record<Versioned, string>>;
  /** A behaviour Patroni documents (`kind: documented`), listed apart from the bugs: no upgrade removes it. */
  documented?: true;
  cells: UpstreamBugCell[];
}

export interface UpstreamBugColumn {
  label: string;
  /** "Patroni 4.0.7, PostgreSQL 17.12, etcd 3.5.16" from the column's first report. */
  versions: string;
}

export interface UpstreamBugTable {
  columns: UpstreamBugColumn[];
  rows: UpstreamBugRow[];
}

/** Whether a covered part ("step:<id>" / "checker:<name>") passed, failed, was unknown or was not reached in a run. */
function coveredState(r: RunReport, key: string): "pass" | "fail" | "unknown" | "absent" {
  const [kind, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
  if (kind === "step") {
    const s = r.steps.find((x) => x.id === name);
    if (!s || s.outcome === "skipped") return "absent";
    return s.outcome === "pass" ? "pass" : s.outcome === "fail" ? "fail" : "unknown";
  }
  const v = r.verdicts.find((x) => x.checker === name);
  if (!v) return "absent";
  return v.unknown ? "unknown" : v.ok ? "pass" : "fail";
}

interface RunState {
  state: BugPresence;
  why?: string;
}

/** What one run says about one of its scenario's known issues. */
export function bugStateInRun(r: RunReport, k: KnownIssueResult): RunState {
  if (r.outcome === "skipped") return { state: "not-run", why: `skipped: ${r.skipped ?? "not run"}` };
  if (k.showed) return { state: "present" };
  if (r.outcome === "error") return { state: "undecided", why: `the run errored: ${r.error ?? "error"}` };
  if (!k.covers) {
    // A report from before `covers` was recorded: only a passing run speaks for absence.
    return r.outcome === "pass" ? { state: "absent", why: "the run passed" } : { state: "undecided", why: `the run ended ${r.outcome} and its report does not say what the issue covers` };
  }
  const states = k.covers.map((c) => [c, coveredState(r, c)] as const);
  const failed = states.filter(([, s]) => s === "fail").map(([c]) => c);
  if (failed.length) return { state: "undecided", why: `${failed.join(", ")} failed without the issue's evidence (another cause)` };
  const unknown = states.filter(([, s]) => s === "unknown").map(([c]) => c);
  if (unknown.length) return { state: "undecided", why: `${unknown.join(", ")} could not be judged` };
  const passed = states.filter(([, s]) => s === "pass").map(([c]) => c);
  const unreached = states.filter(([, s]) => s === "absent").map(([c]) => c);
  // A covered step the run never reached (it stopped early) says nothing.
  if (!passed.length || unreached.some((c) => c.startsWith("step:") && r.outcome !== "pass"))
    return { state: "undecided", why: `${unreached.join(", ") || "what it covers"} not reached` };
  return { state: "absent", why: `${passed.join(", ")} passed` };
}

function versionsText(reports: readonly RunReport[]): string {
  const v = reports.find((r) => r.versions.patroni !== "unknown")?.versions ?? reports[0]?.versions;
  if (!v) return "";
  return `Patroni ${v.patroni}, PostgreSQL ${v.postgresql.split(" ")[0]}, etcd ${v.etcd}`;
}

/** The table over columns of reports (a matrix's stacks in order, or the sides of a comparison). Rows: every known issue any report lists, by scenario then id. */
export function upstreamBugTable(columns: readonly { label: string; reports: readonly RunReport[] }[]): UpstreamBugTable {
  const rows = new Map<string, UpstreamBugRow>();
  for (const col of columns)
    for (const r of col.reports)
      for (const k of r.knownIssues ?? []) {
        const row = rows.get(k.id);
        // The newest description wins (a report that records versions and fix over one that does not).
        if (!row || (!row.versions && k.versions))
          rows.set(k.id, {
            id: k.id,
            scenario: r.scenario.name,
            summary: k.summary,
            ...(k.reference ? { reference: k.reference } : {}),
            ...(k.versions ? { versions: k.versions } : {}),
            ...(k.fixedIn ? { fixedIn: k.fixedIn } : {}),
            ...(k.documented ? { documented: true as const } : {}),
            cells: [],
          });
      }
  const out = [...rows.values()].sort((a, b) => a.scenario.localeCompare(b.scenario) || a.id.localeCompare(b.id));
  for (const row of out) {
    row.cells = columns.map((col): UpstreamBugCell => {
      const runs = col.reports.filter((r) => r.scenario.name === row.scenario);
      if (!runs.length) return { state: "not-run", runs: 0, showed: 0, why: `${row.scenario} was not run on ${col.label}` };
      const per = runs.map((r) => {
        const k = (r.knownIssues ?? []).find((x) => x.id === row.id);
        // A run of the scenario that does not list the issue (an older known-issues file) cannot tell.
        const s: RunState = k ? bugStateInRun(r, k) : r.outcome === "skipped" ? { state: "not-run", why: `skipped: ${r.skipped ?? ""}` } : { state: "undecided", why: "the run's known issues do not include it" };
        return { r, k, s };
      });
      const showedIn = per.filter((p) => p.s.state === "present");
      const inRange = per.map((p) => p.k?.inRange).find((x) => x !== undefined);
      const base = { runs: runs.length, showed: showedIn.length, runIds: runs.map((r) => r.runId), ...(inRange !== undefined ? { inRange } : {}) };
      if (showedIn.length) return { state: "present", ...base, evidence: showedIn[0].k!.evidence };
      for (const state of ["absent", "undecided", "not-run"] as const) {
        const hit = per.find((p) => p.s.state === state);
        if (hit) return { state, ...base, ...(hit.s.why ? { why: hit.s.why } : {}) };
      }
      return { state: "undecided", ...base };
    });
  }
  return { columns: columns.map((c) => ({ label: c.label, versions: versionsText(c.reports) })), rows: out };
}

/** The columns of a game day: by stack in first-run order (or the given order), a user's image as its own column. */
export function gameDayColumns(reports: readonly RunReport[], order?: readonly string[]): { label: string; reports: RunReport[] }[] {
  const labelOf = (r: RunReport) => r.versions.stack ?? (r.versions.image ? `image ${r.versions.image}` : "this lab");
  const labels = [...(order ?? []), ...reports.map(labelOf)].filter((l, i, a) => a.indexOf(l) === i);
  return labels.map((label) => ({ label, reports: reports.filter((r) => labelOf(r) === label) }));
}

/** What an upgrade from one column to another does to each bug. */
export interface UpgradeDelta {
  from: string;
  to: string;
  /** Present before, absent after. `stillInRange`: the entry's versions still cover the new one (not seen in this run, not shown fixed). */
  removes: { id: string; stillInRange: boolean; fixedIn?: Partial<Record<Versioned, string>> }[];
  /** Present on both. */
  keeps: string[];
  /** Absent (or not present) before, present after. */
  brings: string[];
  /** Present before, undecided or not run after: the upgrade's effect on it is not known. */
  unknown: string[];
}

export function upgradeDelta(t: UpstreamBugTable, from: number, to: number): UpgradeDelta {
  const d: UpgradeDelta = { from: t.columns[from].label, to: t.columns[to].label, removes: [], keeps: [], brings: [], unknown: [] };
  for (const row of t.rows) {
    // (a documented behaviour is what Patroni promises: no version removes or brings it)
    if (row.documented) continue;
    const a = row.cells[from];
    const b = row.cells[to];
    if (a.state === "present" && b.state === "absent") d.removes.push({ id: row.id, stillInRange: b.inRange === true, ...(row.fixedIn ? { fixedIn: row.fixedIn } : {}) });
    else if (a.state === "present" && b.state === "present") d.keeps.push(row.id);
    else if (a.state === "present") d.unknown.push(row.id);
    else if (b.state === "present") d.brings.push(row.id);
  }
  return d;
}

const fixText = (f: Partial<Record<string, string>> | undefined) =>
  f ? Object.entries(f).map(([c, v]) => `${c === "postgres" ? "PostgreSQL" : c === "etcd" ? "etcd" : "Patroni"} ${v}`).join(", ") : undefined;

const rangeText = (v: VersionRanges | undefined) =>
  v ? Object.entries(v).map(([c, r]) => `${c === "postgres" ? "PostgreSQL" : c === "etcd" ? "etcd" : "Patroni"} ${r}`).join(", ") : undefined;

/** A cell in a sentence: "present (2 of 3 runs): pg1 +12.3s: ...", "absent (outside Patroni <3.0.3)". */
export function cellText(c: UpstreamBugCell, row: UpstreamBugRow, opts: { evidenceChars?: number } = {}): string {
  const of = c.runs > 1 ? ` (${c.showed} of ${c.runs} runs)` : "";
  switch (c.state) {
    case "present":
      return `present${of}${c.evidence?.length ? `: ${c.evidence.map((e) => e.slice(0, opts.evidenceChars ?? 160)).join("; ")}` : ""}`;
    case "absent": {
      const range = rangeText(row.versions);
      const why =
        c.inRange === false
          ? `outside ${range ?? "the known versions"}${row.fixedIn ? `; fixed in ${fixText(row.fixedIn)}` : ""}`
          : c.inRange === true
            ? `not seen, though within ${range ?? "the known versions"}`
            : c.why;
      return `absent${c.runs > 1 ? ` (${c.runs} runs)` : ""}${why ? ` (${why})` : ""}`;
    }
    case "undecided":
      return `undecided${c.why ? `: ${c.why}` : ""}`;
    case "not-run":
      return `not run here${c.why && c.runs ? ` (${c.why})` : ""}`;
  }
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const ICON: Record<BugPresence, string> = { present: "🐞", absent: "✅", undecided: "❔", "not-run": "⏭️" };

export function renderUpstreamBugsMarkdown(t: UpstreamBugTable, heading = "## Upstream bugs by stack"): string[] {
  if (!t.rows.length) return [];
  const { bugs, documented } = byKind(t.rows);
  const table = (rows: readonly UpstreamBugRow[], first: string) => {
    const out = [`| ${first} | ${t.columns.map((c) => `${mdCell(c.label)}${c.versions ? `<br>${mdCell(c.versions)}` : ""}`).join(" | ")} |`, `| --- | ${t.columns.map(() => "---").join(" | ")} |`];
    for (const row of rows) {
      const head = [`**${row.id}** (${row.scenario})`, rangeText(row.versions) ? `known on ${rangeText(row.versions)}` : "", row.fixedIn ? `fixed in ${fixText(row.fixedIn)}` : "", row.reference ?? ""].filter(Boolean);
      out.push(`| ${mdCell(head.join("<br>"))} | ${row.cells.map((c) => mdCell(`${row.documented && c.state === "present" ? "⚠️" : ICON[c.state]} ${cellText(c, row)}`)).join(" | ")} |`);
    }
    return out;
  };
  const out = [heading, ""];
  if (bugs.length) out.push("A row per known-issue entry (an upstream behaviour that differs from Patroni's documentation), a column per stack.", "", ...table(bugs, "bug"), "");
  if (documented.length) out.push(`### ${DOCUMENTED_HEADING}`, "", DOCUMENTED_TEXT, "", ...table(documented, "behaviour"), "");
  return out;
}

/** The rows of upstream bugs, and apart from them the documented behaviours. */
function byKind(rows: readonly UpstreamBugRow[]): { bugs: UpstreamBugRow[]; documented: UpstreamBugRow[] } {
  return { bugs: rows.filter((r) => !r.documented), documented: rows.filter((r) => r.documented) };
}

const DOCUMENTED_HEADING = "Documented behaviours (not bugs: no upgrade removes them)";
const DOCUMENTED_TEXT = "What Patroni's documentation says happens in these cases (e.g. without a watchdog), seen or not on each stack: a safeguard of the deployment answers them, not a version.";

export function renderUpgradeMarkdown(d: UpgradeDelta): string[] {
  const out = [`### Upgrading ${d.from} → ${d.to}`, ""];
  const fix = (r: UpgradeDelta["removes"][number]) =>
    r.stillInRange ? " (not seen in this run, though its known versions still cover it: not shown fixed)" : r.fixedIn ? ` (fixed in ${fixText(r.fixedIn)})` : "";
  out.push(`- removes: ${d.removes.length ? d.removes.map((r) => `${r.id}${fix(r)}`).join("; ") : "none"}`);
  out.push(`- keeps: ${d.keeps.length ? d.keeps.join(", ") : "none"}`);
  if (d.brings.length) out.push(`- brings: ${d.brings.join(", ")}`);
  if (d.unknown.length) out.push(`- not decided on ${d.to} (undecided or not run): ${d.unknown.join(", ")}`);
  out.push("");
  return out;
}

const CELL_CLASS: Record<BugPresence, string> = { present: "bug-present", absent: "bug-absent", undecided: "bug-undecided", "not-run": "bug-not-run" };
const CELL_WORD: Record<BugPresence, string> = { present: "present", absent: "absent", undecided: "undecided", "not-run": "not run here" };

/** The table as an index.html section (and the upgrades between consecutive columns). */
export function renderUpstreamBugsHtml(t: UpstreamBugTable, upgrades: readonly UpgradeDelta[] = []): string {
  if (!t.rows.length) return "";
  const head = t.columns.map((c) => `<th>${esc(c.label)}${c.versions ? `<br><small>${esc(c.versions)}</small>` : ""}</th>`).join("");
  const tr = (row: UpstreamBugRow) => {
    const range = rangeText(row.versions);
    const th =
      `<td class="bug"><b>${esc(row.id)}</b> <small class="muted">${esc(row.scenario)}</small>` +
      `<br><small>${[range ? `known on ${esc(range)}` : "", row.fixedIn ? `fixed in ${esc(fixText(row.fixedIn))}` : "", row.reference ? `<a href="${esc(row.reference)}">${esc(row.reference.replace(/^https:\/\/github\.com\//, ""))}</a>` : ""].filter(Boolean).join(" · ")}</small>` +
      `<details><summary>what</summary><small>${esc(row.summary)}</small></details></td>`;
    const cells = row.cells.map((c) => {
      const text = cellText(c, row);
      const detail = text.slice(CELL_WORD[c.state].length).replace(/^[:\s]+/, "");
      const body =
        c.state === "present"
          ? `${c.runs > 1 ? `<small>${c.showed} of ${c.runs} runs</small><br>` : ""}${c.evidence?.length ? `<small class="evidence">${c.evidence.map((e) => esc(e.slice(0, 300))).join("<br>")}</small>` : ""}`
          : detail
            ? `<br><small>${esc(detail.slice(0, 300))}</small>`
            : "";
      return `<td class="${CELL_CLASS[c.state]}" data-state="${c.state}"><b>${CELL_WORD[c.state]}</b>${c.state === "present" && body ? "<br>" : ""}${body}</td>`;
    });
    return `<tr data-bug="${esc(row.id)}"${row.documented ? ' data-documented="true"' : ""}>${th}${cells.join("")}</tr>`;
  };
  const { bugs, documented } = byKind(t.rows);
  const ups = upgrades.map(
    (d) =>
      `<li><b>${esc(d.from)} → ${esc(d.to)}</b>: removes ${d.removes.length ? d.removes.map((r) => `${esc(r.id)}${r.stillInRange ? " <small>(not seen, still in its known range)</small>" : r.fixedIn ? ` <small>(fixed in ${esc(fixText(r.fixedIn))})</small>` : ""}`).join(", ") : "none"}` +
      `; keeps ${d.keeps.length ? d.keeps.map(esc).join(", ") : "none"}${d.brings.length ? `; brings ${d.brings.map(esc).join(", ")}` : ""}${d.unknown.length ? `; not decided on ${esc(d.to)}: ${d.unknown.map(esc).join(", ")}` : ""}</li>`,
  );
  return [
    `<section id="upstream-bugs"><h2>Upstream bugs by stack</h2>`,
    `<style>#upstream-bugs table{border-collapse:collapse}#upstream-bugs td,#upstream-bugs th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left;max-width:28em}`,
    `#upstream-bugs td.bug-present{background:#fce8e6}#upstream-bugs td.bug-absent{background:#e6f4ea}#upstream-bugs td.bug-undecided{background:#fef7e0}#upstream-bugs td.bug-not-run{background:#f1f3f4;color:#5f6368}#upstream-bugs small.evidence{font-family:ui-monospace,monospace;word-break:break-word}</style>`,
    `<p class="small">A row per known-issue entry: an upstream behaviour that differs from Patroni's documentation, recognised by its log evidence. <b>present</b>: it showed in a run here (evidence: the matched log lines); <b>absent</b>: a run here reached what it covers and passed; <b>undecided</b>: the run failed or errored otherwise; <b>not run here</b>: its scenario did not run on this stack.</p>`,
    bugs.length ? [`<table><thead><tr><th>bug</th>${head}</tr></thead><tbody>`, ...bugs.map(tr), `</tbody></table>`].join("\n") : "",
    documented.length
      ? [`<h3>${esc(DOCUMENTED_HEADING)}</h3><p class="small">${esc(DOCUMENTED_TEXT)}</p>`, `<table class="documented"><thead><tr><th>behaviour</th>${head}</tr></thead><tbody>`, ...documented.map(tr), `</tbody></table>`].join("\n")
      : "",
    ups.length ? `<h3>Upgrades</h3><ul>${ups.join("")}</ul>` : "",
    `</section>`,
  ].join("\n");
}
