/**
 * Headless Chromium as pgchaos's browser checks and screenshots run it (Debian's chromium; set
 * PGCHAOS_CHROMIUM for another binary): no network side traffic, no sandbox (CI runs as root),
 * a fresh profile per run (removed when it exits), the page's console on stderr.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";

export const CHROMIUM = process.env.PGCHAOS_CHROMIUM ?? "chromium";

export function chromiumArgs(profileDir: string): string[] {
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
    `--user-data-dir=${profileDir}`,
  ];
}

export async function chromium(args: string[]) {
  const profile = mkdtempSync(path.join(tmpdir(), "pgchaos-chromium-"));
  try {
    return await execa(CHROMIUM, [...chromiumArgs(profile), ...args], { timeout: 120_000, reject: false, stdin: "ignore" });
  } finally {
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  }
}
