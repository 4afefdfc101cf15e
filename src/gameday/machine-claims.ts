import os from "node:os";
import path from "node:path";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { sessionId } from "../lab/labels.js";
import { procStat } from "../util/proc-stat.js";

/** What one pgchaos session (a game day, an exploration, with the processes it runs labs in) says it runs now. */
export interface Claim {
  pid: number;
  /** The process's start time (/proc/PID/stat field 22), so a pid the kernel reused is not taken for it. */
  pidStart?: string;
  labs: number;
  /** Cores and memory its running labs need together (its own measure of a lab, jobs.ts). */
  cores: number;
  memMiB: number;
}

export interface OthersLoad {
  labs: number;
  cores: number;
  memMiB: number;
}

export const NO_OTHERS: OthersLoad = { labs: 0, cores: 0, memMiB: 0 };

/** What one lab needs, as a session claims it. */
export interface LabNeed {
  cores: number;
  memMiB: number;
}

/** Where the sessions of this machine keep their claims: one small file each. */
export function defaultClaimsDir(): string {
  return path.join(os.tmpdir(), "pgchaos-claims");
}

/**
 * The labs other pgchaos processes on this machine run, so that two game days (two CI jobs on
 * one runner) share the machine instead of each sizing its -j for all of it. Each session writes
 * how many labs it runs and what they need whenever that changes, and reads the others' when it
 * decides whether to start one more. Files rather than the engine's containers: a lab's
 * containers appear seconds after the decision to start it, and a session knows its own need.
 * A claim whose process is gone (SIGKILL, a crash) is ignored and removed. Reading then writing
 * is not atomic between processes; two decisions in the same instant can both see the other's
 * old claim, which the game day's own start gap (gameday.ts) makes a matter of milliseconds.
 */
export class MachineClaims {
  private readonly file: string;
  private readonly pidStart = procStat(process.pid)?.[PID_START];
  private written = false;
  private labs = 0;

  constructor(
    private readonly dir: string = defaultClaimsDir(),
    readonly session: string = sessionId(),
  ) {
    this.file = path.join(dir, `${session}.json`);
  }

  /** The other sessions' running labs and their needs together (none when the folder cannot be read). */
  others(): OthersLoad {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith(".json") && n !== path.basename(this.file));
    } catch {
      return NO_OTHERS;
    }
    const sum = { ...NO_OTHERS };
    for (const n of names) {
      const f = path.join(this.dir, n);
      const c = readClaim(f);
      if (!c) continue;
      if (!alive(c)) {
        rmSync(f, { force: true });
        continue;
      }
      sum.labs += c.labs;
      sum.cores += c.cores;
      sum.memMiB += c.memMiB;
    }
    return sum;
  }

  /**
   * Runs one lab's `work`, claimed from its start (before the lab's own start-up, so that a
   * decision elsewhere sees it at once) to its end. `need` is asked each time: a game day learns it.
   */
  async hold<T>(need: () => LabNeed, work: () => Promise<T>): Promise<T> {
    this.set(++this.labs, need());
    try {
      return await work();
    } finally {
      this.set(--this.labs, need());
    }
  }

  /** Says this session runs `labs` labs, each needing `need`. Best effort: a machine where the folder cannot be written shares nothing. */
  set(labs: number, need: LabNeed): void {
    const claim: Claim = { pid: process.pid, ...(this.pidStart ? { pidStart: this.pidStart } : {}), labs, cores: labs * need.cores, memMiB: labs * need.memMiB };
    try {
      mkdirSync(this.dir, { recursive: true });
      // (a reader never sees half a file)
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(claim));
      renameSync(tmp, this.file);
      this.written = true;
    } catch {
      /* shared nothing */
    }
  }

  release(): void {
    if (this.written) rmSync(this.file, { force: true });
    this.written = false;
  }
}

function readClaim(file: string): Claim | undefined {
  try {
    const c = JSON.parse(readFileSync(file, "utf8")) as Partial<Claim>;
    return typeof c.pid === "number" && typeof c.labs === "number" && typeof c.cores === "number" && typeof c.memMiB === "number" ? (c as Claim) : undefined;
  } catch {
    return undefined;
  }
}

function alive(c: Claim): boolean {
  try {
    process.kill(c.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return c.pidStart === undefined || procStat(c.pid)?.[PID_START] === c.pidStart;
}

/** starttime, field 22 of proc(5)'s stat: clock ticks since boot. */
const PID_START = 22;
