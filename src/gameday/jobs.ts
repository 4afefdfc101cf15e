import os from "node:os";
import { readFileSync } from "node:fs";
import { LabCostLearner } from "./lab-cost.js";
import { MachineClaims, NO_OTHERS, type LabNeed, type OthersLoad } from "./machine-claims.js";

/**
 * What one 3 etcd + 3 Patroni lab needs before a game day has measured its own (AutoJobs):
 *   - memory: the six containers settle at about 250 MiB together (Patroni+PostgreSQL 50-80 MiB
 *     each, etcd 12-30 MiB each), and their data directories, in memory (lab/data-volumes.ts),
 *     about 500 MiB more (730-770 MiB in all, `npm run bench`, 2026-12-06), plus a harness
 *     process per lab at -jN (about 130 MiB RSS). Budget 900 MiB a lab.
 *   - CPU: the share of a core a run keeps busy over its whole life (start-up, steps, settle,
 *     teardown; containers and harness): 14-32 core-seconds in 25-75 s on a quiet 2-core machine
 *     on 2026-12-06, 0.42-0.57 core, before the recorder was made lighter; after it, the median
 *     of the 26 shipped scenarios' runs was 0.21 and 0.23 core (10.6 and 11.2 core-seconds a
 *     run; two game days at the default -j, `npm run bench -- --gameday`, 2026-12-06). Each run
 *     measures its own (report.json durations.cpu), and the game day follows the median of its
 *     runs from the third on. A prior far above it kept the first two minutes of a game day at
 *     three labs: with the longest scenarios first, the third run ends late.
 * The one-minute load average no longer decides: it counted the game day's own last labs and a
 * CI run that had just ended (-j1 on an idle machine, 2026-12-02).
 */
export const LAB_NEEDS = { cpuCores: 0.25, memMiB: 900 } as const;

/** LAB_NEEDS as a session claims a lab (machine-claims.ts) before it has measured its own. */
export const PRIOR_LAB_NEED: LabNeed = { cores: LAB_NEEDS.cpuCores, memMiB: LAB_NEEDS.memMiB };

/** Memory left for the harness, the engine and everything else on the machine. */
const RESERVE_MIB = 1024;
/** More labs than this at once only adds container churn; use -j to go beyond it on big machines. */
export const MAX_DEFAULT_JOBS = 8;

export interface Machine {
  cores: number;
  freeMiB: number;
  /**
   * Cores that other work kept busy just before the game day: the machine's busy time over a
   * short sample of /proc/stat (otherBusyCores), not the one-minute load average, which still
   * counts work that has just ended (a CI run's last minute made the default -j1 on an idle machine).
   */
  otherBusyCores: number;
}

/** Busy core-seconds since boot (/proc/stat: all but idle and iowait, in USER_HZ ticks of 1/100 s), or undefined off Linux. */
export function busyCoreSec(): number | undefined {
  try {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return (f.slice(0, 8).reduce((a, b) => a + b, 0) - f[3] - f[4]) / 100;
  } catch {
    return undefined;
  }
}

/** Cores busy over the next `sampleMs` (the load average where /proc/stat is not there). */
export async function otherBusyCores(sampleMs = 500): Promise<number> {
  const b0 = busyCoreSec();
  if (b0 === undefined) return os.loadavg()[0];
  await new Promise((r) => setTimeout(r, sampleMs));
  return Math.max(0, (busyCoreSec()! - b0) / (sampleMs / 1000));
}

export async function thisMachine(): Promise<Machine> {
  return { cores: os.availableParallelism(), freeMiB: os.freemem() / 2 ** 20, otherBusyCores: await otherBusyCores() };
}

/**
 * The share of the free cores the labs may keep busy on average: a lab's need is an average
 * over its life, and its start-up and its faults' aftermath come in bursts of most of a core;
 * Patroni's loops and the recorder's 1 s timeouts must not wait on a saturated machine.
 */
export const TARGET_BUSY_SHARE = 0.8;

/**
 * The default -j: as many labs as both the free cores and the free memory carry, at least 1:
 *   min(floor((cores - other busy cores) * 0.8 / cores a lab needs), floor((free MiB - 1024) / MiB a lab needs), 8).
 * What a lab needs is LAB_NEEDS until the game day's own runs say otherwise (lab-cost.ts).
 * Other pgchaos sessions' labs (machine-claims.ts) count at what they claim now: `othersAtStart`
 * is what they claimed when `m` was measured, which the busy cores and the free memory already
 * hold, so that only the difference is taken again.
 */
export function defaultJobs(m: Machine, labCores: number = LAB_NEEDS.cpuCores, others: OthersLoad = NO_OTHERS, othersAtStart: OthersLoad = NO_OTHERS): number {
  const busy = Math.max(0, m.otherBusyCores - othersAtStart.cores) + others.cores;
  const byCpu = Math.floor((Math.max(0, m.cores - busy) * TARGET_BUSY_SHARE) / labCores);
  return Math.max(1, Math.min(byCpu, memoryJobs(m, Math.max(0, others.memMiB - othersAtStart.memMiB)), MAX_DEFAULT_JOBS));
}

function memoryJobs(m: Machine, takenMiB = 0): number {
  return Math.floor((m.freeMiB - RESERVE_MIB - takenMiB) / LAB_NEEDS.memMiB);
}

/** The default -j of a game day: it starts from LAB_NEEDS and follows what its runs cost (jobs are never more than the memory carries). */
export class AutoJobs {
  readonly learner: LabCostLearner;
  /** Other pgchaos sessions' labs when the machine was measured. */
  readonly othersAtStart: OthersLoad;

  constructor(
    readonly machine: Machine,
    readonly claims: MachineClaims = new MachineClaims(),
  ) {
    this.learner = new LabCostLearner(LAB_NEEDS.cpuCores);
    this.othersAtStart = claims.others();
  }

  /** What one of this game day's labs needs, as other sessions are told (machine-claims.ts): PRIOR_LAB_NEED until its runs say otherwise. */
  need(): LabNeed {
    return { ...PRIOR_LAB_NEED, cores: this.learner.need().cores };
  }

  get max(): number {
    return Math.max(1, Math.min(memoryJobs(this.machine), MAX_DEFAULT_JOBS));
  }

  current(): number {
    return defaultJobs(this.machine, this.learner.need().cores, this.claims.others(), this.othersAtStart);
  }
}
