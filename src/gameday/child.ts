import path from "node:path";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { buildReport, type RunReport } from "../report/model.js";
import type { Progress } from "../util/progress.js";
import { onCleanup } from "../util/cleanup.js";
import type { WorkUnit } from "./schedule.js";

/** The CLI this module was built with (dist/gameday/child.js -> dist/cli/main.js). */
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../cli/main.js");

/** The internal CLI command a worker process runs (not in --help). */
export const RUN_UNIT_COMMAND = "run-unit";

/** One run a worker is asked for: a line of JSON on its stdin. */
export interface UnitRequest {
  file: string;
  dir: string;
  timeScale: number;
  seed?: number;
  stack?: string;
  image?: string;
  patroniConfigFile?: string;
}

/** The key of a worker's answer line on stdout: `{"pgchaosUnitDone": DIR}` once DIR/report.json is written, with `"ending": true` when it takes no other run. */
export const UNIT_DONE = "pgchaosUnitDone";

/**
 * A Node process that runs units one after another (`pgchaos run-unit`, requests on stdin).
 * Why a process per lab at a time: the harness's timing-sensitive parts (the recorder's
 * sampling, the workload's timestamps and, when this was measured, the DCS fault proxy, which
 * now runs as a container) share one event loop per process. Measured on 2 cores at load ~17:
 * two labs in one process made Patroni's requests through the proxy time out (read timeout
 * 1.33 s = retry_timeout/3), the leader flapped and the lab never became ready, while the same
 * scenario passed alone. Why the process is kept for the next unit: starting one and importing
 * the harness cost 0.7-0.9 core-second a run (2026-12-06), for a lab of 8-15. A worker that
 * finds a run left timers or sockets behind ends itself, so the next run has a fresh one.
 */
class UnitWorker {
  readonly child: ResultPromise;
  /** The last lines of its stderr, for a run that ends without a report. */
  readonly tail: string[] = [];
  ended = false;
  /** It said it ends after the run it answered (see runUnitCommand): it takes no other. */
  ending = false;
  private current?: { dir: string; done: () => void };
  private progress: Progress = () => {};
  private interrupted = false;

  constructor() {
    this.child = execa(process.execPath, [CLI, RUN_UNIT_COMMAND], {
      reject: false,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      // The worker always reports progress; whether it is shown is the parent's progress's choice.
      env: { PGCHAOS_QUIET: "0" },
    });
    createInterface({ input: this.child.stderr! }).on("line", (line) => {
      this.tail.push(line);
      if (this.tail.length > 20) this.tail.shift();
      this.progress(line.replace(/^pgchaos: /, ""));
    });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let answer: Record<string, unknown>;
      try {
        answer = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (answer.ending === true) this.ending = true;
      if (this.current && answer[UNIT_DONE] === this.current.dir) this.current.done();
    });
    void this.child.then(() => {
      this.ended = true;
      this.current?.done();
    });
  }

  /** Runs one unit; resolves when its report is written or the process ended. */
  run(req: UnitRequest, progress: Progress): Promise<void> {
    this.progress = progress;
    this.tail.length = 0;
    return new Promise<void>((resolve) => {
      this.current = {
        dir: req.dir,
        done: () => {
          this.current = undefined;
          resolve();
        },
      };
      if (this.ended) return this.current.done();
      this.child.stdin!.write(JSON.stringify(req) + "\n");
    });
  }

  /** As on Ctrl-C: it heals and removes its lab, then ends. Once: a second SIGINT only earns a note. */
  interrupt(): void {
    if (!this.interrupted) this.child.kill("SIGINT");
    this.interrupted = true;
  }

  /** Ends it: an idle worker at the end of its stdin, a busy one interrupted. */
  stop(): Promise<unknown> {
    if (this.current) this.interrupt();
    else this.child.stdin!.end();
    return this.child.catch(() => {});
  }
}

/**
 * The worker processes of a game day or an exploration: a unit takes an idle one or starts one,
 * so there are never more than the units running at once. `close` ends them all; an interrupt
 * (the cleanup registry) stops them and waits until each has removed its lab.
 */
export class UnitWorkers {
  private readonly idle: UnitWorker[] = [];
  private readonly all = new Set<UnitWorker>();
  private readonly unregister: () => void;

  constructor() {
    this.unregister = onCleanup("stop the worker processes and wait for their labs' removal", () => this.stopAll());
  }

  /** Runs one unit in a worker and returns the report it wrote. */
  async run(unit: WorkUnit, o: { dir: string; timeScale: number; seed?: number; stack?: string; image?: string; patroniConfigFile?: string; progress: Progress; signal?: AbortSignal }): Promise<RunReport> {
    const worker = this.idle.pop() ?? this.spawn();
    const forward = () => worker.interrupt();
    o.signal?.addEventListener("abort", forward, { once: true });
    const startedAt = new Date();
    try {
      await worker.run(
        {
          file: unit.input.file,
          dir: o.dir,
          timeScale: o.timeScale,
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.stack ? { stack: o.stack } : {}),
          ...(o.image ? { image: o.image } : {}),
          ...(o.patroniConfigFile ? { patroniConfigFile: o.patroniConfigFile } : {}),
        },
        o.progress,
      );
    } finally {
      o.signal?.removeEventListener("abort", forward);
      if (worker.ended || worker.ending || o.signal?.aborted) this.all.delete(worker);
      else this.idle.push(worker);
    }
    try {
      return JSON.parse(await readFile(path.join(o.dir, "report.json"), "utf8")) as RunReport;
    } catch {
      const endedAt = new Date();
      const ended = worker.ended ? `the run's process ended (exit code ${(await worker.child).exitCode ?? "none"})` : "the run ended";
      return buildReport({
        runId: `${unit.input.scenario.name}-${unit.repeat}-no-report`,
        scenario: { name: unit.input.scenario.name, file: unit.input.file, text: unit.input.text },
        startedAt,
        endedAt,
        origin: startedAt,
        events: [],
        error: `${ended} without writing ${path.join(o.dir, "report.json")}: ${worker.tail.slice(-5).join(" / ")}`,
      });
    }
  }

  /** Ends every worker (idle ones at once) and waits for them. */
  async close(): Promise<void> {
    await this.stopAll();
    this.unregister();
  }

  private spawn(): UnitWorker {
    const w = new UnitWorker();
    this.all.add(w);
    void w.child.then(() => this.all.delete(w));
    return w;
  }

  private async stopAll(): Promise<void> {
    this.idle.length = 0;
    await Promise.all([...this.all].map((w) => w.stop()));
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
