#!/usr/bin/env node
// A PNG of a report.html's timeline, as in docs/screenshots/: the page's own stylesheet and its
// timeline SVG on a blank page, shot by headless Chromium at the SVG's height.
//   node scripts/timeline-screenshot.mjs REPORT_HTML OUT_PNG [WIDTH]
// Re-render a recorded run first with `pgchaos report RUN_DIR --reports DIR` to get a report.html.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [html, out, widthArg] = process.argv.slice(2);
if (!html || !out) {
  console.error("usage: node scripts/timeline-screenshot.mjs REPORT_HTML OUT_PNG [WIDTH]");
  process.exit(2);
}
const width = Number(widthArg ?? 1133);
const page = readFileSync(html, "utf8");
const style = page.match(/<style>[\s\S]*?<\/style>/)?.[0];
const svg = page.match(/<svg[^>]*id="timeline"[\s\S]*?<\/svg>/)?.[0];
if (!style || !svg) {
  console.error(`${html}: no <style> or no timeline <svg> (is it a pgchaos report.html?)`);
  process.exit(1);
}
const [, vw, vh] = svg.match(/viewBox="0 0 (\d+) (\d+)"/).map(Number);
const height = Math.round((vh * width) / vw) + 2;
const dir = mkdtempSync(path.join(tmpdir(), "pgchaos-shot-"));
const wrapper = path.join(dir, "timeline.html");
writeFileSync(
  wrapper,
  `<!doctype html><html><head><meta charset="utf-8">${style}<style>body{margin:0;background:#fff} svg.timeline{width:${width}px;height:auto;display:block}</style></head><body>${svg}</body></html>`,
);
execFileSync(
  process.env.PGCHAOS_CHROMIUM ?? "chromium",
  [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    `--user-data-dir=${path.join(dir, "profile")}`,
    "--hide-scrollbars",
    `--screenshot=${path.resolve(out)}`,
    `--window-size=${width},${height}`,
    pathToFileURL(wrapper).href,
  ],
  { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 },
);
console.log(`${out} (${width}×${height})`);
