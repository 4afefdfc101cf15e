/**
 * report.html: one self-contained page per run (inline CSS, inline SVG, a few lines of inline
 * JavaScript for tooltips; no network, no external fonts or scripts), and index.html over the
 * runs of a game day. Everything goes through `redact` like the other renderers.
 */
import type { Verdict } from "../checker/checker.js";
import { renderUpstreamBugsHtml, type UpgradeDelta, type UpstreamBugTable } from "./upstream-bugs.js";
import type { RunOutcome, RunReport } from "./model.js";
import { timelineData } from "./html-data.js";
import { renderTimelineSvg } from "./timeline/index.js";
import { esc, truncate } from "./html-util.js";
import { SCRIPT } from "./html-assets/script.js";
import { STYLE } from "./html-assets/style.js";
import { redact, redactDeep } from "./redact.js";
import { formatDuration, formatT, stepSpan } from "./text.js";
import { aggregateLabel, formatRate, passRateText, type ScenarioAggregate } from "./aggregate.js";
import { compareSection } from "./compare-chart.js";
import { naturalCompare } from "../util/natural-order.js";

export const HTML_REPORT_FILE = "report.html";
export const HTML_INDEX_FILE = "index.html";

export interface HtmlOptions {
  secrets?: readonly string[];
  /** Evidence items listed per verdict. Default 30. */
  maxEvidence?: number;
}

/** No network at all: the page may only use what it carries. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

function page(titleText: string, body: string, withScript: boolean): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(titleText)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    body,
    withScript ? `<div id="tip" role="tooltip"></div><script>${SCRIPT}</script>` : "",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** Evidence items shown in a checker's card before "N more". */
const EVIDENCE_IN_VIEW = 6;

const OUTCOME_WORD: Record<RunOutcome, string> = { pass: "PASS", fail: "FAIL", error: "ERROR", known: "KNOWN", skipped: "SKIPPED" };

function verdictState(v: Pick<Verdict, "ok" | "unknown">): "passed" | "failed" | "unknown" {
  return v.ok ? "passed" : v.unknown ? "unknown" : "failed";
}

function pill(cls: string, text: string): string {
  return `<span class="pill ${esc(cls)}">${esc(text)}</span>`;
}

function verdictSub(r: RunReport): string {
  const failedChecks = r.verdicts.filter((v) => !v.ok).length;
  const failedSteps = r.steps.filter((s) => s.outcome !== "pass").length;
  const parts: string[] = [];
  if (r.outcome === "error") parts.push("infrastructure error");
  if (r.verdicts.length) parts.push(failedChecks ? `${failedChecks} of ${r.verdicts.length} checkers failed` : `all ${r.verdicts.length} checkers passed`);
  if (r.steps.length) parts.push(failedSteps ? `${failedSteps} of ${r.steps.length} steps failed` : `all ${r.steps.length} steps passed`);
  return parts.join(" · ") || "nothing was checked";
}

/** report.html for one run. */
export function renderHtml(report: RunReport, opts: HtmlOptions = {}): string {
  const secrets = opts.secrets ?? [];
  const r = redactDeep(report, secrets);
  const maxEvidence = opts.maxEvidence ?? 30;
  const sc = r.scenario;
  const out: string[] = ['<main class="report">'];

  // ---- header ----
  const meta: [string, string][] = [["Run", `<code>${esc(r.runId)}</code>`]];
  if (sc.file) meta.push(["Scenario file", `<code>${esc(sc.file)}</code>`]);
  if (sc.incident) meta.push(["Incident", esc(sc.incident)]);
  meta.push(["Started", `${esc(r.startedAt)}<br><span class="muted small">t = 0 at ${esc(r.origin)}</span>`]);
  const d = r.durations;
  meta.push([
    "Duration",
    `${esc(formatDuration(d.totalMs))} wall · ${esc(formatDuration(d.historyMs))} timeline` +
      `${d.setupMs !== undefined || d.teardownMs !== undefined ? "<br>" : ""}` +
      `<span class="muted small">${[
        d.setupMs !== undefined ? `setup ${formatDuration(d.setupMs)}` : "",
        d.teardownMs !== undefined ? `teardown ${formatDuration(d.teardownMs)}` : "",
      ]
        .filter(Boolean)
        .map(esc)
        .join(" · ")}</span>`,
  ]);
  if (r.options?.seed !== undefined) meta.push(["Seed", `<code>${esc(String(r.options.seed))}</code>${r.options.timeScale !== undefined ? ` · time scale ${esc(String(r.options.timeScale))}` : ""}`]);
  const vers: string[] = [
    `PostgreSQL ${version(r.versions.postgresql)}`,
    `Patroni ${version(r.versions.patroni)}`,
    `etcd ${version(r.versions.etcd)}`,
  ];
  if (r.versions.haproxy) vers.push(`HAProxy ${version(r.versions.haproxy)}`);
  if (r.versions.pgchaos) vers.push(`pgchaos ${version(r.versions.pgchaos)}`);
  if (r.versions.stack) vers.push(`stack ${esc(r.versions.stack)}`);
  if (r.versions.image) vers.push(`image ${esc(r.versions.image)}`);
  meta.push(["Versions", vers.join("<br>")]);
  if (r.patroniConfigOverrides?.length) meta.push(["patroni.yml kept", r.patroniConfigOverrides.map(esc).join("<br>")]);
  if (r.topology.nodes.length) {
    const byKind = new Map<string, string[]>();
    const nodes = [...r.topology.nodes].sort((a, b) => naturalCompare(a.name, b.name));
    for (const n of nodes) byKind.set(n.kind, [...(byKind.get(n.kind) ?? []), n.name]);
    meta.push([
      "Topology",
      [...byKind.entries()].map(([k, ns]) => `${esc(k)}: ${esc(ns.join(", "))}`).join("<br>") +
        (r.topology.scope ? `<br><span class="muted small">scope ${esc(r.topology.scope)}</span>` : ""),
    ]);
  }
  const w = r.workload;
  if (w.attempted)
    meta.push([
      "Writes",
      `${w.attempted} attempted: ${w.ok} ok, ${w.fail} failed, ${w.unknown} unknown<br><span class="muted small">${esc(`${w.rate}/s over ${formatDuration(w.spanMs)}`)}</span>`,
    ]);

  out.push(`<header class="run" data-outcome="${r.outcome}">`);
  out.push(
    `<div class="verdict ${r.outcome}" id="verdict" data-outcome="${r.outcome}"><span class="word">${OUTCOME_WORD[r.outcome]}</span><span class="sub">${esc(verdictSub(r))}</span></div>`,
  );
  out.push(
    `<div><h1 id="scenario-name">${esc(sc.name)}</h1>` +
      (sc.description ? `<p class="description">${esc(sc.description.trim())}</p>` : "") +
      `</div>`,
  );
  out.push(`<dl class="meta">${meta.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join("")}</dl>`);
  if (r.skipped) out.push(`<div class="error-box" id="run-skipped"><strong>Skipped:</strong> ${esc(r.skipped)}</div>`);
  if (r.error) out.push(`<div class="error-box" id="run-error"><strong>Infrastructure error:</strong> <pre>${esc(r.error)}</pre></div>`);
  out.push(`</header>`);

  // ---- checkers ----
  out.push(`<section id="checkers"><h2>Checkers</h2>`);
  if (!r.verdicts.length) out.push(`<p class="muted">No checker ran.</p>`);
  else {
    out.push(`<div class="checkers">`);
    for (const v of r.verdicts) {
      const state = verdictState(v);
      out.push(`<article class="checker ${state}" data-checker="${esc(v.checker)}" data-ok="${v.ok}">`);
      out.push(`<div class="head"><h3>${esc(v.checker)}</h3>${pill(state === "passed" ? "pass" : state === "failed" ? "fail" : "unknown", state)}</div>`);
      out.push(`<p class="summary">${esc(v.summary)}</p>`);
      if (v.evidence.length) {
        // A few items in view, the rest (up to maxEvidence) folded, beyond that report.json.
        const shown = v.evidence.slice(0, maxEvidence);
        const item = (e: (typeof shown)[number]) => `<li class="evidence-item" data-type="${esc(e.type)}">${esc(e.message)}</li>`;
        out.push(`<ul class="evidence-list">${shown.slice(0, EVIDENCE_IN_VIEW).map(item).join("")}</ul>`);
        if (shown.length > EVIDENCE_IN_VIEW)
          out.push(
            `<details class="more-evidence"><summary>${shown.length - EVIDENCE_IN_VIEW} more</summary><ul class="evidence-list">${shown.slice(EVIDENCE_IN_VIEW).map(item).join("")}</ul></details>`,
          );
        if (v.evidence.length > maxEvidence) out.push(`<p class="muted small">… and ${v.evidence.length - maxEvidence} more in <code>report.json</code>.</p>`);
      }
      const figs = Object.entries(v.figures ?? {});
      if (figs.length) out.push(`<div class="figures">${figs.map(([k, x]) => `${esc(k)} = ${esc(x)}`).join(" · ")}</div>`);
      out.push(`</article>`);
    }
    out.push(`</div>`);
  }
  out.push(`</section>`);

  // ---- known issues ----
  if (r.knownIssues?.length) {
    out.push(`<section id="known-issues"><h2>Known issues</h2><ul>`);
    for (const k of r.knownIssues) {
      const ref = k.reference ? ` <a href="${esc(k.reference)}">${esc(k.reference)}</a>` : "";
      out.push(
        `<li data-known-issue="${esc(k.id)}" data-showed="${k.showed}">${pill(k.showed ? "known" : "ok", k.showed ? "showed" : "did not show")} <strong>${esc(k.id)}</strong>: ${esc(k.summary)}${ref}` +
          `${k.showed ? `<br><span class="muted small">explains ${esc(k.matched.join(", "))}</span>` : `<br><span class="muted small">${esc(k.why ?? "")}</span>`}` +
          `${k.evidence.length ? `<pre>${esc(k.evidence.join("\n"))}</pre>` : ""}</li>`,
      );
    }
    out.push(`</ul></section>`);
  }
  // ---- findings ----
  if (r.findings?.length) {
    out.push(`<section id="findings" class="findings"><h2>Findings</h2><p class="muted">What Patroni did otherwise than documented, with its own log lines:</p>`);
    for (const f of r.findings) out.push(`<pre class="finding">${esc(f)}</pre>`);
    out.push(`</section>`);
  }

  // ---- timeline ----
  // A history the drawing cannot cope with must not cost the rest of the report.
  let figure: string;
  try {
    const data = timelineData(r);
    figure =
      `<div class="figure">${legend()}${renderTimelineSvg(r, data)}</div>` +
      `<p class="muted small">x: history time in seconds (${esc(formatT(data.t0))} to ${esc(formatT(data.t1))}). ` +
      `Bands are runs of samples (REST and SQL polls every ~200 ms); hover any shape for details. Writes are bucketed by completion time.</p>`;
  } catch (e) {
    figure = `<div class="error-box" id="timeline-error">The timeline could not be drawn: <pre>${esc(e instanceof Error ? (e.stack ?? e.message) : String(e))}</pre></div>`;
  }
  out.push(`<section id="timeline-section"><h2>Timeline</h2>${figure}`);
  out.push(`</section>`);

  // ---- steps ----
  out.push(`<section id="steps"><h2>Steps</h2>`);
  if (r.steps.length) {
    out.push(`<table class="steps"><thead><tr><th class="num">#</th><th>time</th><th>step</th><th>outcome</th><th>detail</th></tr></thead><tbody>`);
    for (const s of r.steps)
      out.push(
        `<tr class="${s.outcome}" id="step-${s.index + 1}" data-step="${s.index + 1}"><td class="num">${s.index + 1}</td><td class="when">${esc(stepSpan(s))}</td>` +
          `<td><strong>${esc(s.type)}</strong> ${esc(s.text)}${s.line !== undefined ? ` <span class="muted small">(line ${s.line})</span>` : ""}</td>` +
          `<td>${pill(s.outcome, s.outcome)}</td><td>${s.detail ? `<pre>${esc(s.detail)}</pre>` : ""}</td></tr>`,
      );
    out.push(`</tbody></table>`);
  } else out.push(`<p class="muted">No steps were recorded.</p>`);
  out.push(`</section>`);

  // ---- faults and actions ----
  out.push(`<section id="faults"><h2>Faults</h2>`);
  if (r.faults.length) {
    out.push(`<table><thead><tr><th>id</th><th>fault</th><th>targets</th><th>injected</th><th>healed</th><th>ok</th></tr></thead><tbody>`);
    for (const f of r.faults)
      out.push(
        `<tr class="${f.ok ? "pass" : "fail"}" data-fault-id="${esc(f.id)}"><td><code>${esc(f.id)}</code></td><td>${esc(f.type)}</td><td>${esc(f.targets.join(", "))}</td>` +
          `<td class="when">${esc(formatT(f.injectedAt))}</td><td class="when">${f.healedAt === null ? "<strong>never</strong>" : esc(`${formatT(f.healedAt)} (${formatDuration(f.healedAt - f.injectedAt)})`)}</td>` +
          `<td>${f.ok ? pill("ok", "ok") : `${pill("fail", "not ok")} ${esc(f.error ?? "")}`}</td></tr>`,
      );
    out.push(`</tbody></table>`);
  } else out.push(`<p class="muted">No faults were injected.</p>`);
  out.push(`</section>`);
  if (r.actions.length) {
    out.push(`<section id="actions"><h2>Actions</h2><table><thead><tr><th>id</th><th>action</th><th>time</th><th>result</th><th>detail</th></tr></thead><tbody>`);
    for (const a of r.actions)
      out.push(
        `<tr class="${a.ok ? "pass" : "fail"}"><td><code>${esc(a.id)}</code></td><td>${esc(a.action)}</td><td class="when">${esc(`${formatT(a.t)} → ${formatT(a.tEnd)}`)}</td>` +
          `<td>${pill(a.ok ? "ok" : "fail", a.ok ? "ok" : "failed")}${a.status !== undefined ? ` HTTP ${a.status}` : ""}</td>` +
          `<td><pre>${esc(truncate(a.error ?? a.body ?? "", 600))}</pre></td></tr>`,
      );
    out.push(`</tbody></table></section>`);
  }

  // ---- workload ----
  out.push(`<section id="workload"><h2>Workload</h2>`);
  if (w.attempted) {
    out.push(
      `<table><thead><tr><th>via</th><th class="num">attempted</th><th class="num">ok</th><th class="num">failed</th><th class="num">unknown</th><th class="num">not sent</th><th class="num">rate</th><th class="num">ok rate</th></tr></thead><tbody>`,
    );
    out.push(
      `<tr><td>all</td><td class="num">${w.attempted}</td><td class="num">${w.ok}</td><td class="num">${w.fail}</td><td class="num">${w.unknown}</td><td class="num">${w.notSent}</td><td class="num">${w.rate}/s</td><td class="num">${w.okRate}/s</td></tr>`,
    );
    for (const [via, c] of Object.entries(w.byVia))
      if (c)
        out.push(
          `<tr><td>${esc(via)}</td><td class="num">${c.attempted}</td><td class="num">${c.ok}</td><td class="num">${c.fail}</td><td class="num">${c.unknown}</td><td></td><td></td><td></td></tr>`,
        );
    out.push(`</tbody></table><p class="muted small">Workload span ${esc(formatDuration(w.spanMs))}.</p>`);
  } else out.push(`<p class="muted">No workload ran.</p>`);
  out.push(`</section>`);

  // ---- source and files ----
  out.push(`<section id="files"><h2>Raw material</h2><ul>`);
  out.push(`<li><a href="report.json">report.json</a>: the full timeline (${r.events.length} events, member <code>events</code>)</li>`);
  out.push(`<li><a href="${esc(relHref(r.logs?.journal ?? "journal.jsonl"))}">${esc(r.logs?.journal ?? "journal.jsonl")}</a>: one event per line as recorded</li>`);
  if (r.logs?.dir) out.push(`<li><a href="${esc(relHref(r.logs.dir))}/">${esc(r.logs.dir)}/</a>: every container's log</li>`);
  out.push(`<li><a href="report.md">report.md</a> · <a href="junit.xml">junit.xml</a></li></ul>`);
  if (sc.text) out.push(`<details id="scenario-source"><summary>Scenario source${sc.file ? ` <code>${esc(sc.file)}</code>` : ""}</summary><pre>${esc(sc.text)}</pre></details>`);
  out.push(`</section>`);
  out.push(`<footer>pgchaos report · run ${esc(r.runId)} · ended ${esc(r.endedAt)}</footer>`);
  out.push(`</main>`);

  return redact(page(`${OUTCOME_WORD[r.outcome]} · ${sc.name} · pgchaos`, out.join("\n"), true), secrets);
}

function version(v: string): string {
  const t = truncate(v, 40);
  return t === v ? esc(v) : `<span title="${esc(v)}">${esc(t)}</span>`;
}

/** A relative link to a local file: never a URL with a scheme. */
function relHref(p: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(p) ? "#" : p.split("/").map(encodeURIComponent).join("/");
}

function legend(): string {
  const sw = (color: string, label: string, extra = "") => `<span><i class="sw" style="background:${color}${extra}"></i>${esc(label)}</span>`;
  return (
    `<div class="legend">` +
    sw("var(--primary)", "primary") +
    sw("var(--replica)", "replica") +
    sw("var(--standby)", "standby leader") +
    sw("var(--demoted)", "demoted") +
    sw("var(--down)", "down (REST API not answering)") +
    sw("repeating-linear-gradient(45deg,#f1f3f5 0 3px,#ced4da 3px 5px)", "unknown") +
    sw("var(--writable)", "writable", ";height:5px") +
    sw("var(--readonly)", "read-only", ";height:5px") +
    sw("repeating-linear-gradient(45deg,#fff0f0 0 3px,#ffa8a8 3px 5px)", "PostgreSQL down", ";height:5px") +
    sw("var(--stream)", "streaming", ";height:4px") +
    sw("var(--nostream)", "not streaming", ";height:4px") +
    sw("#8ccf9e", "etcd healthy") +
    sw("#f08c8c", "etcd unhealthy") +
    `<span>★ raft leader</span>` +
    sw("rgba(250,176,5,.35)", "fault window") +
    sw("#ffa8a8", "no write acknowledged") +
    `<span><i class="sw" style="border:2px solid #c92a2a;background:none"></i>split brain</span>` +
    `<span>▲ Patroni log line</span>` +
    `</div>`
  );
}

// ---------------------------------------------------------------------------------------------
// index.html

export interface HtmlIndexOptions {
  secrets?: readonly string[];
  /** Link to a run's report.md, relative to the index; report.html is beside it. */
  reportLink?: (r: RunReport) => string;
  title?: string;
  /** Per-scenario aggregates of repeated runs: shown as a section above the runs when given and any scenario ran more than once. */
  scenarios?: readonly ScenarioAggregate[];
  repeatOf?: (r: RunReport) => number | undefined;
  /** The upgrade table (a section after the runs) and the upgrades between its columns. */
  upstreamBugs?: UpstreamBugTable;
  upgrades?: readonly UpgradeDelta[];
}

function repeatedSection(scenarios: readonly ScenarioAggregate[]): string {
  const out: string[] = [`<section id="scenarios"><h2>Per scenario over repeated runs</h2>`];
  out.push(`<table class="runs"><thead><tr><th>scenario</th><th class="num">runs</th><th>pass rate (95% CI)</th><th>other outcomes</th><th>first failing run</th><th>figures</th></tr></thead><tbody>`);
  for (const a of scenarios) {
    const others = Object.entries(a.rates).filter(([o]) => o !== "pass");
    const first = a.firstFailing
      ? `<a href="${esc(hrefOf(htmlLinkFor(a.firstFailing.report)))}">${esc(a.firstFailing.repeat !== undefined ? `run ${a.firstFailing.repeat}` : a.firstFailing.runId)}</a> (${esc(a.firstFailing.outcome)})`
      : '<span class="muted">—</span>';
    const details = [
      ...a.checkers.map((c) => c.text),
      ...a.knownIssues.map((k) => `known issue ${k.id}: showed in ${k.showed} of ${k.runs} runs`),
      ...a.figures.map((f) => `${f.checker} ${f.figure}: ${f.text}`),
    ];
    out.push(
      `<tr data-scenario="${esc(a.scenario)}"${a.stack !== undefined ? ` data-stack="${esc(a.stack)}"` : ""}><td><strong>${esc(aggregateLabel(a))}</strong></td><td class="num">${a.runs}</td><td>${esc(passRateText(a))}</td>` +
        `<td>${others.map(([o, r]) => esc(formatRate(o, r, a.runs))).join("<br>") || '<span class="muted">—</span>'}</td><td>${first}</td>` +
        `<td class="small">${details.length ? `<details><summary>${details.length} figure${details.length === 1 ? "" : "s"}</summary>${details.map(esc).join("<br>")}</details>` : '<span class="muted">—</span>'}</td></tr>`,
    );
  }
  out.push(`</tbody></table></section>`);
  return out.join("\n");
}

/** Where report.html is, given where report.md is. */
export function htmlLinkFor(mdLink: string): string {
  return /(^|\/)report\.md$/.test(mdLink) ? mdLink.replace(/report\.md$/, HTML_REPORT_FILE) : mdLink.replace(/[^/]*$/, HTML_REPORT_FILE);
}

/** index.html for a game day: one row per scenario run, linking each report.html. */
export function renderIndexHtml(reports: readonly RunReport[], opts: HtmlIndexOptions = {}): string {
  const secrets = opts.secrets ?? [];
  const link = opts.reportLink ?? ((r: RunReport) => `${r.runId}/report.md`);
  // The index needs no events: leave them out before the (deep) redaction.
  const rs = reports.map((r) => redactDeep({ ...r, events: [] }, secrets));
  const links = reports.map((r) => redact(link(r), secrets));
  const counts: Record<RunOutcome, number> = { pass: 0, fail: 0, error: 0, known: 0, skipped: 0 };
  for (const r of rs) counts[r.outcome]++;
  const overall: RunOutcome = counts.error ? "error" : counts.fail ? "fail" : counts.known ? "known" : "pass";
  const title = opts.title ?? "pgchaos game day";
  const out: string[] = ['<main class="index">'];
  out.push(`<header class="run" data-outcome="${overall}">`);
  out.push(
    `<div class="verdict ${overall}" id="verdict" data-outcome="${overall}"><span class="word">${OUTCOME_WORD[overall]}</span><span class="sub">${rs.length} scenario run${rs.length === 1 ? "" : "s"}</span></div>`,
  );
  out.push(
    `<div><h1>${esc(title)}</h1><p class="headline"><strong>${counts.pass} passed, ${counts.fail} failed, ${counts.known} known issues, ${counts.error} errored${counts.skipped ? `, ${counts.skipped} skipped` : ""}.</strong></p>` +
      `<p class="description">Combined JUnit: <a href="junit.xml">junit.xml</a> · summary: <a href="summary.md">summary.md</a>, <a href="summary.json">summary.json</a></p></div>`,
  );
  out.push(`</header>`);
  const repeatOf = opts.repeatOf ?? (() => undefined);
  const repeated = (opts.scenarios ?? []).some((a) => a.runs > 1) || reports.some((r) => repeatOf(r) !== undefined);
  if (repeated && opts.scenarios) {
    const scenarios = opts.scenarios.map((a) => redactDeep(a, secrets));
    out.push(repeatedSection(scenarios));
    out.push(compareSection(scenarios));
  }
  out.push(`<section id="runs"><h2>${repeated ? "Runs" : "Scenarios"}</h2>`);
  out.push(
    `<table class="runs"><thead><tr><th>outcome</th><th>scenario</th><th class="num">steps passed</th><th>checkers</th><th class="num">writes ok / fail / unknown</th><th class="num">wall time</th><th>report</th></tr></thead><tbody>`,
  );
  rs.forEach((r, i) => {
    const html = htmlLinkFor(links[i]);
    const passed = r.steps.filter((s) => s.outcome === "pass").length;
    const problems = [
      ...(r.error ? [`error: ${r.error}`] : []),
      ...r.steps.filter((s) => s.outcome !== "pass").map((s) => `step ${s.index + 1} ${s.text}${s.detail ? `: ${s.detail}` : ""}`),
      ...r.verdicts.filter((v) => !v.ok).map((v) => `${v.checker}: ${v.summary}`),
    ];
    // A passing verdict that still records a loss (an asynchronous failover's, allowed by the configuration) is named too.
    const allowed = r.verdicts.filter((v) => v.ok && (v.figures?.lostAllowed ?? 0) > 0).map((v) => `${v.checker}: ${v.summary}`);
    out.push(
      `<tr class="${r.outcome}" data-scenario="${esc(r.scenario.name)}" data-outcome="${r.outcome}">` +
        `<td>${pill(r.outcome, r.outcome)}</td>` +
        `<td><a href="${esc(hrefOf(html))}"><strong>${esc(r.scenario.name)}</strong></a>${repeatOf(reports[i]) !== undefined ? ` <span class="muted">run ${repeatOf(reports[i])}</span>` : ""}${r.scenario.incident ? ` <span class="muted small">incident ${esc(r.scenario.incident)}</span>` : ""}` +
        (problems.length ? `<div class="small muted">${problems.slice(0, 4).map((p) => esc(truncate(p, 240))).join("<br>")}</div>` : "") +
        (allowed.length ? `<div class="small allowed-loss">${allowed.map((p) => esc(truncate(p, 300))).join("<br>")}</div>` : "") +
        `</td>` +
        `<td class="num">${passed}/${r.steps.length}</td>` +
        `<td>${r.verdicts.length ? r.verdicts.map((v) => `<div>${pill(v.ok ? "pass" : v.unknown ? "unknown" : "fail", v.ok ? "ok" : v.unknown ? "?" : "fail")} <span title="${esc(v.summary)}">${esc(v.checker)}</span></div>`).join("") : '<span class="muted">—</span>'}</td>` +
        `<td class="num">${r.workload.ok} / ${r.workload.fail} / ${r.workload.unknown}</td>` +
        `<td class="num">${esc(formatDuration(r.durations.totalMs))}</td>` +
        `<td><a class="report-link" href="${esc(hrefOf(html))}">report.html</a> · <a href="${esc(hrefOf(links[i]))}">md</a></td></tr>`,
    );
  });
  out.push(`</tbody></table></section>`);
  if (opts.upstreamBugs) out.push(renderUpstreamBugsHtml(redactDeep(opts.upstreamBugs, secrets), opts.upgrades ?? []));
  out.push(`<footer>pgchaos game day index · ${esc(formatDuration(rs.reduce((m, r) => m + r.durations.totalMs, 0)))} scenario wall time in total</footer></main>`);
  return redact(page(`${OUTCOME_WORD[overall]} · ${title}`, out.join("\n"), false), secrets);
}

function hrefOf(p: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(p) ? "#" : encodeURI(p);
}
