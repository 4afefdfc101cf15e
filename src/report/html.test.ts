import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkers } from "../checker/index.js";
import type { HistoryEvent, LogLine, NodeSample, WriteOp } from "../history/events.js";
import { findingsFromVerdicts } from "../runner/findings.js";
import { cleanRun, SECRET, splitBrainReportInput } from "../../test/fixtures/histories/scenarios.js";
import { htmlLinkFor, renderHtml, renderIndexHtml } from "./html.js";
import { replicationLag, runsOf, timelineData } from "./html-data.js";
import { esc } from "./html-util.js";
import { readJournal } from "./journal.js";
import { buildReport, type RunReport } from "./model.js";
import { writeIndex, writeReports } from "./write.js";
import { parseXml } from "./xml.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

const HISTORIES = fileURLToPath(new URL("../../test/fixtures/histories/", import.meta.url));

/** A RunReport from a recorded journal, judged by every checker, with findings as the runner makes them. */
function fromJournal(file: string, extra: Partial<Parameters<typeof buildReport>[0]> = {}): RunReport {
  const j = readJournal(HISTORIES + file);
  const verdicts = Object.values(checkers).map((mk) => mk().check(j.events));
  return buildReport({
    runId: j.header?.runId ?? "run",
    scenario: { name: j.header?.scenario ?? file, text: "name: x\n" },
    startedAt: j.header?.wall ?? "2026-01-01T00:00:00.000Z",
    endedAt: new Date(Date.parse(j.header?.wall ?? "2026-01-01T00:00:00.000Z") + 45_000),
    origin: j.header?.wall ?? "2026-01-01T00:00:00.000Z",
    events: j.events,
    verdicts,
    findings: findingsFromVerdicts(j.events, verdicts),
    versions: { patroni: "3.0.2", etcd: "3.4.23", postgresql: "15" },
    ...extra,
  });
}

interface El {
  tag: string;
  attrs: Record<string, string>;
}

const unescape = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" })[e] as string);

/** Every start tag with its attributes (a small stand-in for a DOM). */
function elements(html: string): El[] {
  const out: El[] = [];
  for (const m of html.matchAll(/<([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2].matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) attrs[a[1]] = unescape(a[2] ?? "");
    out.push({ tag: m[1], attrs });
  }
  return out;
}

const hasClass = (e: El, ...cls: string[]) => {
  const c = (e.attrs.class ?? "").split(/\s+/);
  return cls.every((x) => c.includes(x));
};
const find = (els: El[], cls: string[], attrs: Record<string, string> = {}) =>
  els.filter((e) => hasClass(e, ...cls) && Object.entries(attrs).every(([k, v]) => e.attrs[k] === v));

/** The <title> text of the element whose start tag contains `startTagPart`. */
function titleAfter(html: string, startTagPart: string): string {
  const i = html.indexOf(startTagPart);
  expect(i, startTagPart).toBeGreaterThanOrEqual(0);
  const m = /<title>([^<]*)<\/title>/.exec(html.slice(i));
  return unescape(m?.[1] ?? "");
}

function svgOf(html: string): string {
  const m = /<svg[\s\S]*<\/svg>/.exec(html);
  expect(m).not.toBeNull();
  return (m as RegExpExecArray)[0];
}

/** No resource is loaded from anywhere but the page itself. */
function expectSelfContained(html: string) {
  const els = elements(html);
  for (const e of els) {
    for (const a of ["src", "href", "xlink:href", "action", "poster", "data"]) {
      const v = e.attrs[a];
      if (v === undefined) continue;
      expect(v, `${e.tag} ${a}`).not.toMatch(/^\s*(https?:|\/\/|ftp:|file:|data:(?!image))/i);
    }
    if (e.tag === "link" || e.tag === "img" || e.tag === "iframe" || e.tag === "object" || e.tag === "embed") throw new Error(`external-looking <${e.tag}>`);
    if (e.tag === "script") expect(e.attrs.src, "inline scripts only").toBeUndefined();
  }
  expect(html).not.toMatch(/@import|url\(\s*['"]?(?!#)/i);
  // The only absolute URL is the SVG namespace (a name, never fetched).
  const urls = [...html.matchAll(/\b(?:src|href)\s*=\s*["']?\s*https?:\/\//gi)];
  expect(urls).toEqual([]);
}

describe("report.html from the recorded split brain (Patroni 3.0.2, etcd quorum loss)", () => {
  const r = fromJournal("recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl");
  const html = renderHtml(r);
  const els = elements(html);

  it("is one self-contained HTML document of reasonable size", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("<style>");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expectSelfContained(html);
    expect(html).toContain("Content-Security-Policy");
    expect(html.length).toBeLessThan(400_000);
    // The full event list stays in report.json.
    expect(html).not.toContain('"kind":"node"');
  });

  it("the SVG is well-formed XML", () => {
    expect(() => parseXml(svgOf(html))).not.toThrow();
  });

  it("has the verdict, the scenario and each checker with its evidence", () => {
    expect(find(els, ["verdict", "fail"])).toHaveLength(1);
    expect(html).toMatch(/<span class="word">FAIL<\/span>/);
    expect(html).toContain("etcd-quorum-loss-failsafe-off");
    const cards = els.filter((e) => e.tag === "article" && hasClass(e, "checker"));
    expect(cards.map((c) => [c.attrs["data-checker"], c.attrs["data-ok"]])).toEqual([
      ["single-primary", "false"],
      ["no-acked-write-lost", "true"],
      ["write-availability", "true"],
    ]);
    expect(html).toContain("split brain: pg1 and pg2 both writable for 0.6 s from +36.1s");
    expect(html).toContain(
      "pg1 and pg2 were both writable from +36.1s to +36.7s (0.6 s, from node samples; pg1 on timeline 2, pg2 on timeline 2, same timeline)",
    );
    expect(html).toContain("No write acknowledged for 17.9 s");
  });

  it("renders the findings with Patroni's log lines preformatted", () => {
    expect(r.findings?.length).toBeGreaterThan(0);
    const pre = /<pre class="finding">([\s\S]*?)<\/pre>/.exec(html);
    expect(pre?.[1]).toContain("single-primary: pg1 and pg2 were both writable");
    expect(pre?.[1]).toContain("promoted self to leader by acquiring session lock");
    expect(pre?.[1]).toContain("\n"); // line structure kept
  });

  it("has a swimlane per Patroni node with role runs, writability and timeline labels", () => {
    const lanes = find(els, ["lane", "patroni"]);
    expect(lanes.map((l) => l.attrs["data-node"])).toEqual(["pg1", "pg2", "pg3"]);
    // pg1 primary, demoted (down), replica, primary again; pg2 briefly primary: the split brain.
    const pg1 = find(els, ["role"], { "data-node": "pg1" }).map((e) => e.attrs["data-role"]);
    expect(pg1[0]).toBe("primary");
    expect(pg1).toContain("down");
    expect(pg1).toContain("replica");
    expect(pg1[pg1.length - 1]).toBe("primary");
    const pg2Primary = find(els, ["role", "role-primary"], { "data-node": "pg2" });
    expect(pg2Primary).toHaveLength(1);
    expect(Number(pg2Primary[0].attrs["data-from"])).toBe(36118);
    expect(Number(pg2Primary[0].attrs["data-to"])).toBeGreaterThanOrEqual(36717);
    // Runs, not one rect per sample.
    const samples = r.events.filter((e) => e.kind === "node").length;
    expect(find(els, ["role"]).length).toBeLessThan(samples / 10);
    // Timeline 1 -> 2 on each node.
    for (const n of ["pg1", "pg2", "pg3"])
      expect(find(els, ["timeline-label"], { "data-node": n }).map((e) => e.attrs["data-timeline"]), n).toEqual(["1", "2"]);
    expect(find(els, ["writability", "writable"], { "data-node": "pg2" })).toHaveLength(1);
    expect(find(els, ["streaming", "not-streaming"], { "data-node": "pg1" }).length).toBeGreaterThan(0);
    // Patroni's own log line on pg1's lane.
    expect(titleAfter(html, 'class="log-mark" data-node="pg1" data-t="18157"')).toContain("demoting self because DCS is not accessible");
    expect(titleAfter(html, 'class="role role-primary" data-node="pg2"')).toMatch(/pg2: primary \(running\) on timeline 2\n\+36\.1s → \+36\.\ds/);
  });

  it("has etcd lanes with health and raft leader, and the DCS lane with the leader key and unreadable periods", () => {
    expect(find(els, ["lane", "etcd"]).map((l) => l.attrs["data-member"])).toEqual(["e1", "e2", "e3"]);
    expect(find(els, ["etcd-health", "unhealthy"], { "data-member": "e2" }).length).toBeGreaterThan(0);
    expect(find(els, ["etcd-health", "healthy"], { "data-member": "e3" }).length).toBeGreaterThan(0);
    expect(find(els, ["etcd-leader"], { "data-member": "e1" }).length).toBeGreaterThan(0);
    const dcs = find(els, ["dcs-run"]).map((e) => [e.attrs["data-state"], e.attrs["data-leader"]]);
    expect(dcs).toEqual([
      ["leader", "pg1"],
      ["unreadable", undefined],
      ["no-leader", undefined],
      ["leader", "pg1"],
    ]);
    expect(html).toContain(">DCS unreadable<");
  });

  it("shades the fault window from inject to heal with its id, type and targets", () => {
    const w = find(els, ["fault-window"]);
    expect(w).toHaveLength(1);
    expect(w[0].attrs).toMatchObject({
      "data-fault-id": "outage",
      "data-fault-type": "etcd-quorum-loss",
      "data-targets": "e1,e2",
      "data-from": "11512",
      "data-to": "33694",
      "data-healed": "true",
    });
    expect(html).toContain("outage · etcd-quorum-loss → e1, e2");
    expect(titleAfter(html, 'class="fault-window"')).toContain("injected +11.5s, healed +33.7s (22.2 s)");
  });

  it("marks steps (expect pass/fail with the condition in the title), the cluster-ready note and notes", () => {
    const expects = find(els, ["marker", "expect"]);
    expect(expects.map((e) => e.attrs.class)).toEqual(Array(r.steps.filter((s) => s.type === "expect").length).fill("marker expect pass"));
    expect(expects.map((e) => e.attrs["data-step"])).toEqual(["2", "3", "4", "6", "7"]);
    expect(titleAfter(html, 'data-step-id="no-failover"')).toContain("expect writable (node pg1, is false) and writable (node pg2, is false)");
    expect(find(els, ["marker", "step-fault"], { "data-step": "1" })).toHaveLength(1);
    expect(find(els, ["marker", "step-heal"], { "data-step": "5" })).toHaveLength(1);
    expect(find(els, ["marker", "note", "cluster-ready"])).toHaveLength(1);
    expect(titleAfter(html, 'class="marker note cluster-ready"')).toContain("cluster ready: leader pg1");
    expect(find(els, ["marker", "note"]).length).toBeGreaterThan(1);
  });

  it("draws the split brain on both lanes, writes, latency, lag and the unavailability window", () => {
    const sb = find(els, ["evidence", "split-brain"]);
    expect(sb).toHaveLength(1);
    expect(sb[0].attrs).toMatchObject({ "data-nodes": "pg1,pg2", "data-from": "36118", "data-to": "36717" });
    const buckets = find(els, ["bucket"]);
    const sum = (k: string) => buckets.reduce((m, b) => m + Number(b.attrs[k]), 0);
    expect([sum("data-ok"), sum("data-fail"), sum("data-unknown")]).toEqual([r.workload.ok, r.workload.fail, r.workload.unknown]);
    expect(find(els, ["latency-dots", "ok"])[0].attrs["data-count"]).toBe(String(r.workload.ok));
    // pg2 and pg3 throughout; pg1 too, as a replica of pg2 in the split brain's instant.
    const lag = find(els, ["lag-line"]).map((e) => e.attrs["data-node"]);
    expect(lag).toContain("pg2");
    expect(lag).toContain("pg3");
    const un = find(els, ["unavailability"]);
    expect(un).toHaveLength(1);
    expect(un[0].attrs).toMatchObject({ "data-via": "all", "data-from": "18159", "data-to": "36060" });
    expect(html).toContain("Writes per second");
    expect(html).toMatch(/Replication lag \(.*bytes, log scale\)/);
  });

  it("has the steps table, versions, durations, run id and the scenario source (collapsible)", () => {
    expect(find(els, [], {}).filter((e) => e.tag === "tr" && e.attrs["data-step"]).length).toBe(r.steps.length);
    expect(html).toContain("Patroni 3.0.2");
    expect(html).toContain(r.runId);
    expect(html).toContain("45.0 s wall");
    expect(html).toMatch(/<details id="scenario-source"><summary>Scenario source[\s\S]*<pre>name: x\n<\/pre><\/details>/);
  });
});

describe("report.html escaping, redaction, edge cases", () => {
  it("escapes log text, findings and names (< & > quotes) and keeps secrets out", () => {
    const input = splitBrainReportInput();
    const evil = `demoting self <script>alert("x")</script> & 'quoted' <b>bold</b>`;
    input.events = [...input.events, { kind: "log", t: 40150, node: "pg2", line: evil } satisfies LogLine];
    input.findings = [`finding with ${evil}\n  pg2 +40.2s: log <line> & more`];
    input.scenario = { ...input.scenario, name: "a<b>&c", text: "x: <y> & z\n" };
    const r = buildReport({ ...input, verdicts: Object.values(checkers).map((mk) => mk().check(input.events)) });
    const html = renderHtml(r, { secrets: [SECRET] });
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<b>bold</b>");
    expect(html).toContain(esc(evil));
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;quoted&apos;");
    expect(html).toContain("<h1 id=\"scenario-name\">a&lt;b&gt;&amp;c</h1>");
    expect(html).toContain("x: &lt;y&gt; &amp; z");
    expect(html).toContain("pg2 +40.2s: log &lt;line&gt; &amp; more");
    // The log line is a mark on pg2's lane, escaped in its title.
    expect(html).toMatch(/class="log-mark" data-node="pg2"[^>]*>[^]*?<title>[^<]*demoting self &lt;script&gt;/);
    // Secrets (in an action body and a log line) never appear, in any form.
    expect(html).not.toContain("s3cr3t");
    expect(html).toContain("[REDACTED]");
    expect(() => parseXml(svgOf(html))).not.toThrow();
    expectSelfContained(html);
    // Actions are marked with their status.
    const els = elements(html);
    expect(find(els, ["marker", "action", "failed"], { "data-action": "switchover", "data-status": "503" })).toHaveLength(1);
    // Failed expect step marker.
    expect(find(els, ["marker", "expect", "fail"], { "data-step": "4" })).toHaveLength(1);
    // Interleaved acks and lost writes are drawn.
    expect(find(els, ["evidence", "interleaved"]).length).toBe(2);
    expect(find(els, ["lost-write"]).length).toBe(20);
  });

  it("control characters in log lines do not break the SVG", () => {
    const f = cleanRun();
    const events: HistoryEvent[] = [...f.events, { kind: "log", t: 5000, node: "pg1", line: "\u001b[31mdemoting self\u001b[0m \u0000" }];
    const r = buildReport({ runId: "r", scenario: { name: "c" }, startedAt: "2024-01-01T00:00:00Z", endedAt: "2024-01-01T00:00:31Z", origin: "2024-01-01T00:00:00Z", events });
    const html = renderHtml(r);
    expect(html).toContain("\\x1b[31mdemoting self");
    expect(() => parseXml(svgOf(html))).not.toThrow();
  });

  it("renders a run that never started (no events, infrastructure error)", () => {
    const r = buildReport({
      runId: "run-broken",
      scenario: { name: "broken" },
      startedAt: "2024-05-01T14:00:00.000Z",
      endedAt: "2024-05-01T14:00:02.000Z",
      origin: "2024-05-01T14:00:00.000Z",
      events: [],
      error: "lab did not start: <no engine>",
    });
    const html = renderHtml(r);
    expect(html).toContain('<div class="verdict error"');
    expect(html).toContain("lab did not start: &lt;no engine&gt;");
    expect(html).toContain("No faults were injected.");
    expect(() => parseXml(svgOf(html))).not.toThrow();
  });

  it("stays small and fast for a 3-minute run with ~20k events", () => {
    const events: HistoryEvent[] = [];
    const nodes = ["pg1", "pg2", "pg3"];
    let lsn = 1e8;
    for (let t = 0; t < 180_000; t += 200) {
      lsn += 5000;
      nodes.forEach((node, i) => {
        const primary = (t < 90_000 ? "pg1" : "pg2") === node;
        const s: NodeSample = {
          kind: "node", t: t + i * 7, node, restUp: !(node === "pg1" && t > 89_000 && t < 95_000), pgUp: true, latencyMs: 3,
          role: primary ? "primary" : "replica", timeline: t < 90_000 ? 1 : 2, writable: primary, streaming: !primary,
          ...(primary ? { receivedLsn: lsn } : { receivedLsn: lsn - 2000 * i, replayedLsn: lsn - 4000 * i - (t % 7000) * 10 }),
        };
        events.push(s);
      });
      events.push({ kind: "dcs", t: t + 30, reachable: true, leader: t < 90_000 ? "pg1" : "pg2", members: nodes, etcdHealth: { e1: true, e2: true, e3: t % 20_000 > 1000 }, etcdLeader: "e1" });
    }
    let seq = 0;
    for (let t = 0; t < 180_000; t += 15) {
      const outcome: WriteOp["outcome"] = t > 89_000 && t < 95_000 ? "fail" : "ok";
      events.push({ kind: "write", t, tEnd: t + 3 + (seq % 40), seq: ++seq, node: t < 90_000 ? "pg1" : "pg2", via: seq % 2 ? "direct" : "haproxy", outcome });
    }
    for (let t = 0; t < 180_000; t += 50) events.push({ kind: "log", t, node: nodes[t % 3], line: `2024 INFO: no action. I am (pg1), the leader with the lock ${t}` });
    events.push({ kind: "fault", t: 88_000, id: "kill", fault: "process-kill", phase: "inject", targets: ["pg1"], ok: true });
    events.push({ kind: "fault", t: 100_000, id: "kill", fault: "process-kill", phase: "heal", targets: ["pg1"], ok: true });
    expect(events.length).toBeGreaterThan(18_000);
    const r = buildReport({
      runId: "big", scenario: { name: "big" }, startedAt: "2024-01-01T00:00:00Z", endedAt: "2024-01-01T00:03:05Z", origin: "2024-01-01T00:00:00Z",
      events, verdicts: Object.values(checkers).map((mk) => mk().check(events)),
    });
    const t0 = performance.now();
    const html = renderHtml(r);
    const ms = performance.now() - t0;
    expect(html.length).toBeLessThan(1_500_000);
    expect(ms).toBeLessThan(3000);
    const els = elements(html);
    expect(find(els, ["role"]).length).toBeLessThan(20);
    expect(find(els, ["bucket"]).length).toBeLessThanOrEqual(181);
    expect(find(els, ["unavailability"]).map((e) => e.attrs["data-via"]).sort()).toEqual(["all", "direct", "haproxy"]);
    expect(() => parseXml(svgOf(html))).not.toThrow();
  });
});

describe("derivations", () => {
  it("runsOf merges equal consecutive samples; a run lasts until the next starts", () => {
    const s = [0, 200, 400, 600, 800].map((t, i) => ({ t, v: i < 3 ? "a" : "b" }));
    expect(runsOf(s, (x) => x.v, 10_000).map(({ value, from, to }) => [value, from, to])).toEqual([
      ["a", 0, 600],
      ["b", 600, 1000],
    ]);
  });

  it("replication lag pairs each replica sample with the closest primary sample", () => {
    const base = { kind: "node" as const, restUp: true, pgUp: true, latencyMs: 1 };
    const lag = replicationLag([
      { ...base, t: 0, node: "pg1", role: "primary", receivedLsn: 1000 },
      { ...base, t: 10, node: "pg2", role: "replica", replayedLsn: 400 },
      { ...base, t: 5000, node: "pg2", role: "replica", replayedLsn: 400 }, // no primary sample close: left out
    ]);
    expect(lag.get("pg2")).toEqual([{ t: 10, bytes: 600 }]);
  });

  it("the time axis starts just before the cluster was ready", () => {
    const r = fromJournal("recorded-etcd-rebuild-clean.jsonl");
    const d = timelineData(r);
    const ready = r.events.find((e) => e.kind === "note" && e.text.startsWith("cluster ready"));
    expect(d.t0).toBeLessThanOrEqual(ready?.t ?? 0);
    expect(d.t0).toBeGreaterThan(0);
    expect(d.t1).toBeGreaterThanOrEqual(r.durations.historyMs);
  });
});

describe("index.html and the writers", () => {
  const sb = fromJournal("recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl", { scenario: { name: "quorum-loss", incident: "5" } });
  const input = splitBrainReportInput();
  const fx = buildReport({ ...input, verdicts: Object.values(checkers).map((mk) => mk().check(input.events)) });

  it("htmlLinkFor puts report.html beside report.md", () => {
    expect(htmlLinkFor("quorum-loss/report.md")).toBe("quorum-loss/report.html");
    expect(htmlLinkFor("report.md")).toBe("report.html");
    expect(htmlLinkFor("x/summary.txt")).toBe("x/report.html");
  });

  it("lists every scenario with outcome, steps, checkers, writes, wall time and a link to its report.html", () => {
    const html = renderIndexHtml([sb, fx], { secrets: [SECRET], reportLink: (r) => `${r.scenario.name}/report.md` });
    const els = elements(html);
    const rows = els.filter((e) => e.tag === "tr" && e.attrs["data-scenario"]);
    expect(rows.map((r) => [r.attrs["data-scenario"], r.attrs["data-outcome"]])).toEqual([
      ["quorum-loss", "fail"],
      ["etcd-pause-split-brain", "fail"],
    ]);
    expect(find(els, ["report-link"]).map((a) => a.attrs.href)).toEqual(["quorum-loss/report.html", "etcd-pause-split-brain/report.html"]);
    expect(html).toContain(`${sb.workload.ok} / ${sb.workload.fail} / ${sb.workload.unknown}`);
    expect(html).toContain(`<td class="num">7/7</td>`);
    expect(html).toContain(`<td class="num">3/4</td>`);
    expect(html).toContain("single-primary: split brain");
    expect(html).not.toContain("s3cr3t");
    expectSelfContained(html);
  });

  it("names a loss a passing verdict allowed (an asynchronous failover within maximum_lag_on_failover) under its scenario", () => {
    const summary = "31 of 175 acknowledged writes lost on pg2 (14-44), allowed by the configuration [31 by pg1 at the failover to pg2: 6424 bytes of WAL within maximum_lag_on_failover 1048576 bytes (asynchronous replication)]";
    const allowed = { ...fx, verdicts: [{ checker: "no-acked-write-lost", ok: true, summary, evidence: [], figures: { lost: 31, lostAllowed: 31, lostViolating: 0 } }] };
    const none = { ...fx, scenario: { name: "clean" }, verdicts: [{ checker: "no-acked-write-lost", ok: true, summary: "all 175 acknowledged writes present", evidence: [], figures: { lost: 0, lostAllowed: 0 } }] };
    const html = renderIndexHtml([allowed, none] as never);
    expect(html.match(/class="small allowed-loss"/g)).toHaveLength(1);
    expect(html).toContain(`<div class="small allowed-loss">no-acked-write-lost: 31 of 175 acknowledged writes lost on pg2 (14-44), allowed by the configuration [31 by pg1`);
  });

  it("writeReports writes report.html and writeIndex index.html, redacted", async () => {
    const dir = tmp("pgchaos-html-");
    const paths = await writeReports(join(dir, fx.scenario.name), fx, { secrets: [SECRET] });
    expect(paths.html).toBe(join(dir, fx.scenario.name, "report.html"));
    const html = readFileSync(paths.html, "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toContain("s3cr3t");
    const idx = await writeIndex(dir, [fx], { secrets: [SECRET], reportLink: (r) => `${r.scenario.name}/report.md` });
    expect(readdirSync(dir)).toContain("index.html");
    expect(readFileSync(idx.indexHtml, "utf8")).toContain('href="etcd-pause-split-brain/report.html"');
  });
});
