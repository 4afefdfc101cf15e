import path from "node:path";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { buildReport, type RunReport } from "../report/model.js";
import type { Progress } from "../util/progress.js";
import { onCleanup } from "../util/cleanup.js";
import type { WorkUnit } from "./schedule.js";

/** The CLI this module was built with (dist/gameday/child.js -> dist/cli/main.js). */
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../cli/main.js");

/** The internal CLI command a child process runs one unit with (not in --help). */
export const RUN_UNIT_COMMAND = "run-unit";

/**
 * Runs one work unit in its own Node process (`pgchaos run-unit FILE --dir DIR`) and returns
 * the report it wrote. Why a process per lab when labs run in parallel: the harness's
 * timing-sensitive parts (the recorder's sampling, the workload's timestamps and, when this
 * was measured, the DCS fault proxy, which now runs as a container) share one event loop per
 * process. Measured on 2 cores at load ~17: two labs in one process made Patroni's requests
 * through the proxy time out (read timeout 1.33 s = retry_timeout/3), the leader flapped and
 * the lab never became ready, while the same scenario passed alone. One process per lab gives
 * each lab's timers the same event loop to itself as at -j1.
 * Progress lines of the child (stderr) are passed on; SIGINT is forwarded so the child heals
 * its faults and removes its lab, and the parent waits for that before it exits.
 */
export async function runUnitInChild(unit: WorkUnit, o: { dir: string; timeScale: number; seed?: number; stack?: string; image?: string; patroniConfigFile?: string; progress: Progress; signal?: AbortSignal }): Promise<RunReport> {
  const child = execa(process.execPath, [CLI, RUN_UNIT_COMMAND, unit.input.file, "--dir", o.dir, "--time-scale", String(o.timeScale), ...(o.seed !== undefined ? ["--seed", String(o.seed)] : []), ...(o.stack ? ["--stack", o.stack] : []), ...(o.image ? ["--image", o.image] : []), ...(o.patroniConfigFile ? ["--patroni-config", o.patroniConfigFile] : [])], {
    reject: false,
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
    // The child always reports progress; whether it is shown is the parent's progress's choice.
    env: { PGCHAOS_QUIET: "0" },
  });
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
    o.progress(line.replace(/^pgchaos: /, ""));
  });
  const forward = () => child.kill("SIGINT");
  o.signal?.addEventListener("abort", forward, { once: true });
  const unregister = onCleanup(`wait for the run of ${unit.input.scenario.name} #${unit.repeat}`, async () => {
    await child.catch(() => {});
  });
  const startedAt = new Date();
  try {
    const r = await child;
    try {
      return JSON.parse(await readFile(path.join(o.dir, "report.json"), "utf8")) as RunReport;
    } catch {
      const endedAt = new Date();
      return buildReport({
        runId: `${unit.input.scenario.name}-${unit.repeat}-no-report`,
        scenario: { name: unit.input.scenario.name, file: unit.input.file, text: unit.input.text },
        startedAt,
        endedAt,
        origin: startedAt,
        events: [],
        error: `the run's process ended (exit code ${r.exitCode ?? r.signal}) without writing ${path.join(o.dir, "report.json")}: ${tail.slice(-5).join(" / ")}`,
      });
    }
  } finally {
    o.signal?.removeEventListener("abort", forward);
    unregister();
  }
}

/**
 * In a child: when the game day's process goes (even by SIGKILL), this one heals its faults and
 * removes its lab as on SIGTERM, instead of running its scenario to the end for nobody. Its
 * progress lines then have nowhere to go, and writing them must not crash it mid-cleanup.
 */
export function followParent(): void {
  const parent = process.ppid;
  process.stderr.on("error", () => {});
  setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
  }, 500).unref();
}
