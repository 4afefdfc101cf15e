/**
 * A PNG of a report.html's timeline, as in docs/screenshots/: the page's own stylesheet and its
 * timeline SVG on a blank page, shot by headless Chromium at the SVG's height.
 *   npx vite-node test/timeline-screenshot.ts REPORT_HTML OUT_PNG [WIDTH]
 * Re-render a recorded run first with `pgchaos report RUN_DIR --reports DIR` to get a report.html.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "./chromium.js";

async function main(): Promise<number> {
  const [html, out, widthArg] = process.argv.slice(2);
  if (!html || !out) {
    process.stderr.write("usage: npx vite-node test/timeline-screenshot.ts REPORT_HTML OUT_PNG [WIDTH]\n");
    return 2;
  }
  const width = Number(widthArg ?? 1133);
  const page = readFileSync(html, "utf8");
  const style = /<style>[\s\S]*?<\/style>/.exec(page)?.[0];
  const svg = /<svg[^>]*id="timeline"[\s\S]*?<\/svg>/.exec(page)?.[0];
  const box = svg && /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  if (!style || !svg || !box) {
    process.stderr.write(`${html}: no <style> or no timeline <svg> (is it a pgchaos report.html?)\n`);
    return 1;
  }
  const height = Math.round((Number(box[2]) * width) / Number(box[1])) + 2;
  const dir = mkdtempSync(path.join(tmpdir(), "pgchaos-shot-"));
  const wrapper = path.join(dir, "timeline.html");
  writeFileSync(
    wrapper,
    `<!doctype html><html><head><meta charset="utf-8">${style}<style>body{margin:0;background:#fff} svg.timeline{width:${width}px;height:auto;display:block}</style></head><body>${svg}</body></html>`,
  );
  const shot = await chromium(["--hide-scrollbars", `--screenshot=${path.resolve(out)}`, `--window-size=${width},${height}`, pathToFileURL(wrapper).href]).finally(() =>
    rmSync(dir, { recursive: true, force: true }),
  );
  if (shot.exitCode !== 0) {
    process.stderr.write(`chromium failed (${shot.exitCode}): ${shot.stderr.slice(-2000)}\n`);
    return 1;
  }
  process.stdout.write(`${out} (${width}×${height})\n`);
  return 0;
}

process.exitCode = await main();
