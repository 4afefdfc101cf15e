/**
 * Headless Chromium as pgchaos's browser checks and screenshots run it (Debian's chromium; set
 * PGCHAOS_CHROMIUM for another binary): no network side traffic, no sandbox (CI runs as root),
 * a fresh profile per run, the page's console on stderr.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";

export const CHROMIUM = process.env.PGCHAOS_CHROMIUM ?? "chromium";

export function chromiumArgs(): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--enable-logging=stderr",
    "--v=0",
    `--user-data-dir=${mkdtempSync(path.join(tmpdir(), "pgchaos-chromium-"))}`,
  ];
}

export async function chromium(args: string[]) {
  return execa(CHROMIUM, [...chromiumArgs(), ...args], { timeout: 120_000, reject: false, stdin: "ignore" });
}
