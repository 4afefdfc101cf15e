import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { RunOutcome, RunReport } from "../report/model.js";
import { UserFacingError } from "../util/errors.js";
import { renderUpgradeMarkdown, renderUpstreamBugsMarkdown, upgradeDelta, upstreamBugTable, type UpgradeDelta, type UpstreamBugTable } from "../report/upstream-bugs.js";

/**
 * Comparing game days (two earlier ones with `pgchaos compare DIR_A DIR_B`, or one matrix run's
 * stacks): per scenario and side the outcome, each checker's headline figures and the steps whose
 * outcome differs, with what each side's report says about them. Works on report.json only.
 */
export interface ComparisonSide {
  label: string;
  /** "Patroni 4.0.7, PostgreSQL 17.12, etcd 3.5.16" (from the side's first report). */
  versions: string;
}

export interface ComparedCell {
  outcome: RunOutcome;
  /** Longest window without an acknowledged write (all writes / direct / through HAProxy), ms. */
  longestUnavailableMs?: number;
  directLongestMs?: number;
  haproxyLongestMs?: number;
  lostWrites?: number;
  /** Time two nodes were writable primaries at once, ms. */
  primaryOverlapMs?: number;
  reason?: string;
  /**
   * What the side's report says that explains a difference between versions: Patroni's own log
   * lines about the timings it changed, and which `when:` branch applied (report findings).
   */
  explanations?: string[];
}

export interface StepDifference {
  step: string;
  /** Per side: outcome and the step's detail (undefined when the side did not run the step). */
  sides: ({ outcome: RunOutcome; detail?: string } | undefined)[];
}

export interface ComparisonRow {
  scenario: string;
  cells: (ComparedCell | undefined)[];
  /** Whether the outcomes differ between the sides that ran the scenario. */
  differs: boolean;
  steps: StepDifference[];
}

export interface Comparison {
  sides: ComparisonSide[];
  rows: ComparisonRow[];
  /**
   * The upgrade table over the sides (report/upstream-bugs.ts): a row per known-issue entry the
   * reports list, a cell per side. Only when some report lists known issues.
   */
  upstreamBugs?: UpstreamBugTable;
  /** From each side to the next: the bugs the upgrade removes, keeps and brings. */
  upgrades?: UpgradeDelta[];
}

const fig = (r: RunReport, checker: string, key: string): number | undefined => r.verdicts.find((v) => v.checker === checker)?.figures?.[key];

/** Findings that come from the versions a side runs (src/stacks/timing-adjustments.ts, src/versions/when.ts). */
const VERSION_FINDING = /^(Patroni raised |Patroni changed |when: )/;

function cellOf(r: RunReport): ComparedCell {
  const c: ComparedCell = { outcome: r.outcome };
  const put = (k: keyof ComparedCell, v: number | undefined) => {
    if (v !== undefined) (c as unknown as Record<string, number>)[k] = v;
  };
  put("longestUnavailableMs", fig(r, "write-availability", "longestMs"));
  put("directLongestMs", fig(r, "write-availability", "direct.longestMs"));
  put("haproxyLongestMs", fig(r, "write-availability", "haproxy.longestMs"));
  put("lostWrites", fig(r, "no-acked-write-lost", "lost"));
  put("primaryOverlapMs", fig(r, "single-primary", "writableOverlapMs"));
  const reason = r.error ?? r.skipped;
  if (reason) c.reason = reason;
  const explanations = (r.findings ?? []).filter((f) => VERSION_FINDING.test(f));
  if (explanations.length) c.explanations = explanations;
  return c;
}

function versionsOf(reports: readonly RunReport[]): string {
  const v = reports.find((r) => r.versions.patroni !== "unknown")?.versions ?? reports[0]?.versions;
  if (!v) return "";
  return `${v.stack ? `${v.stack}: ` : ""}Patroni ${v.patroni}, PostgreSQL ${v.postgresql.split(" ")[0]}, etcd ${v.etcd}`;
}

export function compareReports(sides: readonly { label: string; reports: readonly RunReport[] }[]): Comparison {
  const names = [...new Set(sides.flatMap((s) => s.reports.map((r) => r.scenario.name)))].sort();
  const rows: ComparisonRow[] = names.map((scenario) => {
    const runs = sides.map((s) => s.reports.find((r) => r.scenario.name === scenario));
    const cells = runs.map((r) => (r ? cellOf(r) : undefined));
    const ran = cells.filter((c): c is ComparedCell => c !== undefined);
    const differs = new Set(ran.map((c) => c.outcome)).size > 1;
    const stepIds = [...new Set(runs.flatMap((r) => r?.steps.map((s) => s.id) ?? []))];
    const steps: StepDifference[] = [];
    for (const id of stepIds) {
      const per = runs.map((r) => {
        const s = r?.steps.find((x) => x.id === id);
        return s ? { outcome: s.outcome, ...(s.detail ? { detail: s.detail } : {}) } : undefined;
      });
      const outcomes = new Set(per.filter((p) => p !== undefined).map((p) => p!.outcome));
      if (outcomes.size > 1) {
        const r0 = runs.find((r) => r?.steps.some((x) => x.id === id));
        steps.push({ step: `${id}: ${r0!.steps.find((x) => x.id === id)!.text}`, sides: per });
      }
    }
    return { scenario, cells, differs, steps };
  });
  const bugs = upstreamBugTable(sides);
  return {
    sides: sides.map((s) => ({ label: s.label, versions: versionsOf(s.reports) })),
    rows,
    ...(bugs.rows.length ? { upstreamBugs: bugs, upgrades: sides.slice(1).map((_, i) => upgradeDelta(bugs, i, i + 1)) } : {}),
  };
}

const ICON: Record<RunOutcome, string> = { pass: "✅", fail: "❌", error: "⚠️", known: "🔶", skipped: "⏭️" };
const sec = (ms: number | undefined) => (ms === undefined ? "" : `${(ms / 1000).toFixed(1)} s`);
const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function cellText(c: ComparedCell | undefined): string {
  if (!c) return "not run";
  const parts = [`${ICON[c.outcome]} ${c.outcome}`];
  if (c.longestUnavailableMs !== undefined) parts.push(`unavail ${sec(c.longestUnavailableMs)}`);
  if (c.haproxyLongestMs !== undefined) parts.push(`via HAProxy ${sec(c.haproxyLongestMs)}`);
  if (c.lostWrites) parts.push(`lost ${c.lostWrites}`);
  if (c.primaryOverlapMs) parts.push(`2 primaries ${sec(c.primaryOverlapMs)}`);
  if (c.reason) parts.push(c.reason.slice(0, 120));
  return esc(parts.join("<br>"));
}

/** `bugTable: false` leaves the upgrade table out (a game day's summary.md has it already) but keeps the upgrades. */
export function renderComparisonMarkdown(c: Comparison, title = "pgchaos comparison", o: { bugTable?: boolean } = {}): string {
  const out: string[] = [`# ${title}`, ""];
  for (const s of c.sides) out.push(`- **${esc(s.label)}**: ${esc(s.versions)}`);
  out.push("", `| scenario | ${c.sides.map((s) => esc(s.label)).join(" | ")} |`, `| --- | ${c.sides.map(() => "---").join(" | ")} |`);
  for (const r of c.rows) out.push(`| ${r.differs ? "**" + esc(r.scenario) + "**" : esc(r.scenario)} | ${r.cells.map(cellText).join(" | ")} |`);
  const diffs = c.rows.filter((r) => r.steps.length || (r.differs && r.cells.some((x) => x?.explanations)));
  if (diffs.length) {
    out.push("", "## Steps whose outcome differs", "");
    for (const r of diffs) {
      out.push(`### ${r.scenario}`, "");
      for (const d of r.steps) {
        out.push(`- ${esc(d.step)}`);
        d.sides.forEach((s, i) => out.push(`  - ${c.sides[i].label}: ${s ? `${s.outcome}${s.detail ? `: ${s.detail.replace(/\n/g, " ").slice(0, 400)}` : ""}` : "not run"}`));
      }
      r.cells.forEach((x, i) => {
        if (x?.explanations) out.push(`- what ${c.sides[i].label} says about its versions:`, ...x.explanations.map((e) => `  - ${e.replace(/\n/g, " ").slice(0, 400)}`));
      });
      out.push("");
    }
  }
  if (c.upstreamBugs) {
    if (o.bugTable !== false) out.push("", ...renderUpstreamBugsMarkdown(c.upstreamBugs, "## Upstream bugs"));
    else out.push("");
    for (const d of c.upgrades ?? []) out.push(...renderUpgradeMarkdown(d));
  }
  return out.join("\n") + "\n";
}

/** Every report.json under a game day's directory. */
export async function loadReports(dir: string): Promise<RunReport[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.name === "report.json") found.push(full);
    }
  };
  try {
    await walk(dir);
  } catch (e) {
    throw new UserFacingError(`${dir}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}); name a game day's report directory`);
  }
  if (!found.length) throw new UserFacingError(`${dir}: no report.json found; name a game day's report directory (reports/<run-id>)`);
  const out: RunReport[] = [];
  for (const f of found.sort()) {
    try {
      out.push(JSON.parse(await readFile(f, "utf8")) as RunReport);
    } catch (e) {
      throw new UserFacingError(`${f}: not a pgchaos report.json (${(e as Error).message})`);
    }
  }
  return out;
}
