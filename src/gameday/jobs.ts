import os from "node:os";

/**
 * What one 3 etcd + 3 Patroni lab needs, measured on the 2-core, 24 GiB development machine on
 * 2026-12-01 (`pgchaos up` sampled once a second with `docker stats` while other work kept the
 * load average near 18, so CPU shares are lower bounds):
 *   - memory: the six containers settle at about 250 MiB together (Patroni+PostgreSQL 50-80 MiB
 *     each, etcd 12-30 MiB each); the harness process peaked at 134 MiB RSS for one lab, most of
 *     it Node itself, shared by every lab of a game day. Budget 400 MiB a lab.
 *   - CPU: about 0.6 core while the lab starts (initdb, basebackups), about 0.1 core when idle;
 *     a scenario adds its workload (one write at a time) and the recorder's polling. Most of a
 *     scenario is waiting on Patroni's timings, so budget 0.5 core a lab: 4 labs on 2 cores.
 * Re-measured on 2026-12-02 (`npm run bench -- --gameday`, all 22 shipped scenarios): one lab
 * at a time kept the machine 0.97 cores busy on average over its whole life (start-up and the
 * engine included; 1289 core-s in 1325 s), and a running scenario about 0.6 core. Three at a time
 * (the default this gives on 2 quiet cores) kept both cores busy (1.87) and finished in 845 s
 * against 1325 s, every outcome the same but for the two intermittent Patroni races the
 * known-issue entries describe, with the recorder's sample interval p99 at 1-2 s instead of 0.2-0.4 s.
 * Re-measure with `npm run bench` (containers_mem_MiB, harness_cpu_s) when the lab changes.
 */
export const LAB_NEEDS = { cpuCores: 0.5, memMiB: 400 } as const;

/** Memory left for the harness, the engine and everything else on the machine. */
const RESERVE_MIB = 1024;
/** More labs than this at once only adds container churn; use -j to go beyond it on big machines. */
const MAX_DEFAULT_JOBS = 8;

export interface Machine {
  cores: number;
  freeMiB: number;
  /** One-minute load average before the game day starts: cores other work already keeps busy. */
  load1: number;
}

export function thisMachine(): Machine {
  return { cores: os.availableParallelism(), freeMiB: os.freemem() / 2 ** 20, load1: os.loadavg()[0] };
}

/**
 * The default -j: as many labs as both the idle cores and the free memory carry, at least 1:
 *   min(floor((cores - load average) / cpuCores per lab), floor((free MiB - 1024) / MiB per lab), 8).
 * The load average counts because a lab's timing-sensitive parts (Patroni's loops, the
 * recorder's 1 s request timeout) starve when the machine is already busy: on the shared
 * 2-core machine at load 17-28, samples timed out and verdicts changed even at -j1.
 */
export function defaultJobs(m: Machine = thisMachine()): number {
  const byCpu = Math.floor(Math.max(0, m.cores - m.load1) / LAB_NEEDS.cpuCores);
  const byMem = Math.floor((m.freeMiB - RESERVE_MIB) / LAB_NEEDS.memMiB);
  return Math.max(1, Math.min(byCpu, byMem, MAX_DEFAULT_JOBS));
}
