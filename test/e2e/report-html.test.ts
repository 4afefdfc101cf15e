import { readFileSync, statSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { beforeAll, describe, expect, test } from "vitest";
import { newRunId } from "../../src/lab/run-id.js";
import { writeIndex, writeReports } from "../../src/report/write.js";
import { readJournal } from "../../src/report/journal.js";
import { recordFromJournal, reportFromRecord } from "../../src/runner/run-record.js";
import type { RunReport } from "../../src/report/model.js";
import { CHROMIUM, chromium } from "../chromium.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

// report.html of a REAL run, opened in a real browser (Debian's chromium, headless): the page
// renders from disk with no network, the rendered DOM has a swimlane per node, the fault
// window and the step markers, and a screenshot is kept beside the report as report.png.
// The run is a recorded journal of a real lab run (etcd-quorum-loss-failsafe-off, a -j 2 game
// day on 2026-12-02), re-judged and re-rendered as `pgchaos report` does: rendering needs no new
// lab, and every shipped scenario's own run already checks that no secret reaches its reports
// (scenario-harness.ts).

const reportsDir = path.resolve("reports", `e2e-html-${newRunId()}`);
const recordedJournal = path.resolve("test/fixtures/histories/recorded-etcd-quorum-loss-failsafe-off.journal.jsonl");

/** Console errors of the page (an exception in the inline script), from chromium's log. */
function pageErrors(stderr: string): string[] {
  return stderr.split("\n").filter((l) => /CONSOLE|Uncaught|SyntaxError|Refused to/.test(l) && !/DevTools|dbus/i.test(l));
}

describe("report.html in a browser", () => {
  let result: { report: RunReport; dir: string };
  let html: string;
  let dom: string;
  let htmlPath: string;

  beforeAll(async () => {
    // CI installs chromium (scripts/setup.sh); a missing browser is a failure, never a skip.
    const probe = await execa(CHROMIUM, ["--version"], { reject: false });
    if (probe.exitCode !== 0 || !/Chromium|Chrome/i.test(probe.stdout))
      throw new Error(
        `chromium is needed for the report.html browser test but "${CHROMIUM} --version" failed ` +
          `(${probe.exitCode ?? ""} ${String(probe.stderr || probe.message).trim().slice(0, 300)}). ` +
          "Install it: apt-get install -y chromium (bash scripts/setup.sh does it), or set PGCHAOS_CHROMIUM.",
      );
    const report = reportFromRecord(recordFromJournal(readJournal(recordedJournal), recordedJournal));
    const dir = path.join(reportsDir, report.scenario.name);
    await writeReports(dir, report);
    result = { report, dir };
    process.stderr.write(`  ${report.scenario.name} (recorded ${report.runId}): ${report.outcome}; report ${path.relative(process.cwd(), dir)}/report.html\n`);
    htmlPath = path.join(result.dir, "report.html");
    html = await readFile(htmlPath, "utf8");
    const dumped = await chromium(["--dump-dom", pathToFileURL(htmlPath).href]);
    expect(dumped.exitCode, dumped.stderr.slice(-2000)).toBe(0);
    expect(pageErrors(dumped.stderr)).toEqual([]);
    dom = dumped.stdout;
  });

  test("the report of the real run was written and is self-contained", () => {
    expect(result.report.error).toBeUndefined();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // Nothing is loaded from elsewhere; a link a person may follow (a known issue's upstream
    // reference) is an <a href>, which loads nothing.
    expect(html).not.toMatch(/\bsrc\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<(?!a\b)[a-z]+\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|@import/i);
    // A 1-minute run: far below the 1.5 MB budget of a 3-minute one.
    expect(statSync(htmlPath).size).toBeLessThan(600_000);
  });

  test("the rendered DOM has a swimlane per node, the fault window, the markers and the charts", () => {
    const r = result.report;
    expect(dom).toContain("<svg");
    const patroni = r.topology.nodes.filter((n) => n.kind === "patroni").map((n) => n.name);
    const etcd = r.topology.nodes.filter((n) => n.kind === "etcd").map((n) => n.name);
    expect(patroni.length).toBeGreaterThanOrEqual(2);
    for (const n of patroni) {
      expect(dom, n).toMatch(new RegExp(`<g class="lane patroni" data-node="${n}"`));
      expect(dom, n).toMatch(new RegExp(`<rect class="role role-[a-z-]+" data-node="${n}"`));
      expect(dom, n).toMatch(new RegExp(`<rect class="writability [a-z-]+" data-node="${n}"`));
    }
    for (const m of etcd) expect(dom, m).toMatch(new RegExp(`<g class="lane etcd" data-member="${m}"`));
    expect(dom).toMatch(/<g class="lane dcs"/);
    // The etcd3 watch's lane, on the member it was pinned to, with a band per member key it saw.
    const watched = r.events.filter((e) => e.kind === "dcs-watch");
    expect(watched.length).toBeGreaterThan(0);
    expect(dom).toContain(`id="lanes-dcs-watch" data-member="${watched[0].member}"`);
    for (const k of new Set(watched.map((e) => e.key).filter((k) => k.startsWith("members/"))))
      expect(dom, k).toContain(`<g class="lane dcs-watch watch-member" data-key="${k}">`);
    // The fault window from inject to heal, as recorded.
    const f = r.faults.find((x) => x.id === "outage");
    expect(f).toBeDefined();
    expect(dom).toMatch(
      new RegExp(`<rect class="fault-window" data-fault-id="outage" data-fault-type="etcd-quorum-loss" data-targets="${f?.targets.join(",")}" data-from="${f?.injectedAt}" data-to="${f?.healedAt}"`),
    );
    // One marker per expect step, with its outcome; the cluster-ready note.
    for (const s of r.steps.filter((x) => x.type === "expect"))
      expect(dom).toMatch(new RegExp(`<g class="marker expect ${s.outcome}" data-step="${s.index + 1}"`));
    expect(dom).toMatch(/<g class="marker note cluster-ready"/);
    expect(dom).toMatch(/<g class="chart throughput"/);
    expect(dom).toMatch(/<g class="chart latency"/);
    // Each checker's card.
    for (const v of r.verdicts) expect(dom).toContain(`data-checker="${v.checker}"`);
  });

  test("hovering a band shows its tooltip and the crosshair's time (the inline script works)", async () => {
    // A copy of the page with a probe appended: it moves the pointer onto pg1's first role band
    // and records what the page's own script showed.
    const probe = `<script>
      (function () {
        var el = document.querySelector('rect.role[data-node]');
        var b = el.getBoundingClientRect();
        el.dispatchEvent(new MouseEvent("mousemove", { bubbles: true, clientX: b.left + b.width / 2, clientY: b.top + b.height / 2 }));
        var tip = document.getElementById("tip");
        var cross = document.getElementById("crosshair");
        document.body.setAttribute("data-probe-tip", tip.style.display + "|" + tip.textContent);
        document.body.setAttribute("data-probe-cross", cross.getAttribute("visibility") + "|" + cross.querySelector("text").textContent);
      })();
    </script>`;
    const copy = path.join(tmp("pgchaos-html-probe-"), "report.html");
    await writeFile(copy, html.replace(/<\/body>/, `${probe}</body>`));
    const dumped = await chromium(["--dump-dom", pathToFileURL(copy).href]);
    expect(dumped.exitCode).toBe(0);
    expect(pageErrors(dumped.stderr)).toEqual([]);
    const unesc = (x: string) => x.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
    const tip = unesc(/data-probe-tip="([^"]*)"/.exec(dumped.stdout)?.[1] ?? "");
    const cross = /data-probe-cross="([^"]*)"/.exec(dumped.stdout)?.[1] ?? "";
    expect(tip).toMatch(/^block\|pg\d+: (primary|replica|demoted|down|unknown|standby leader)/);
    expect(cross).toMatch(/^visible\|\+\d+\.\ds$/);
  });

  test("a screenshot is taken beside the report (report.png)", async () => {
    const png = path.join(result.dir, "report.png");
    const shot = await chromium(["--hide-scrollbars", `--screenshot=${png}`, "--window-size=1600,2000", pathToFileURL(htmlPath).href]);
    expect(shot.exitCode, shot.stderr.slice(-2000)).toBe(0);
    const buf = readFileSync(png);
    expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(buf.readUInt32BE(16)).toBe(1600); // IHDR width
    expect(buf.length).toBeGreaterThan(50_000); // a rendered page, not a blank one
    process.stderr.write(`  screenshot: ${path.relative(process.cwd(), png)}\n`);
  });

  test("the game-day index.html links the report.html and renders", async () => {
    const idx = await writeIndex(reportsDir, [result.report], { reportLink: (r) => `${r.scenario.name}/report.md` });
    const dumped = await chromium(["--dump-dom", pathToFileURL(idx.indexHtml).href]);
    expect(dumped.exitCode).toBe(0);
    expect(dumped.stdout).toContain(`href="${result.report.scenario.name}/report.html"`);
    expect(dumped.stdout).toContain(`data-scenario="${result.report.scenario.name}"`);
  });
});
