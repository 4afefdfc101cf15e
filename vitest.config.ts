import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defaultJobs, thisMachine } from "./src/gameday/jobs.js";

const e2eTimeouts = { testTimeout: 15 * 60_000, hookTimeout: 20 * 60_000 };
// E2E test files N at a time, each in its own process, so N labs at once: PGCHAOS_E2E_JOBS=N
// (1-6), or by default what `pgchaos run` would start a game day with on this machine
// (gameday/jobs.ts: the free cores and memory over what a lab needs). The e2e files spend their
// time waiting on Patroni's timings, and the scenarios are split over six files
// (scenario-shard.ts). On 2026-12-02 three at a time changed two verdicts at load 15-17; since
// then the recorder and the lab's start cost a fraction of what they did (2026-12-06).
const e2eJobs = process.env.PGCHAOS_E2E_JOBS ? Math.min(6, Math.max(1, Number(process.env.PGCHAOS_E2E_JOBS) || 1)) : defaultJobs(await thisMachine());
// Said to the test processes (they inherit it): a test that must know whether other labs run
// beside it (cli.test.ts) read 1 from an unset variable while CI ran e2e files five at a time.
process.env.PGCHAOS_E2E_JOBS = String(e2eJobs);

/**
 * The longest e2e files first, so that none starts last and alone at the end: explore-planted
 * (one test of about 220 s, which vitest's own order started at +423 s of a 640 s suite, quiet,
 * 2026-12-06) beside five of the six shipped-scenario shards, then the sixth, which is lighter by
 * that much (scenario-shard.ts) and takes the first free worker, then vitest's own order. (The
 * shards are the smallest files on disk: vitest runs unknown files largest first, so on a fresh
 * clone they started last.)
 */
const LONGEST_FIRST = [/[\\/]explore-planted\.test\.ts$/, /[\\/]scenarios(-[1-5])?\.test\.ts$/, /[\\/]scenarios-6\.test\.ts$/];
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((re) => re.test(f.moduleId));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

// Projects: `unit` is pure logic (schema, planning, checkers on recorded histories, report
// rendering) and needs no Docker; `e2e` starts real containers on a real engine and checks
// pgchaos itself; `gameday` runs every scenario through the public library API and requires
// each to pass (what a team's own suite would do; not part of `npm test`).
export default defineConfig({
  test: {
    // With PGCHAOS_E2E_JOBS=N, N workers even on 2 cores (the default there is one): e2e files
    // spend their time waiting on labs, not computing.
    ...(e2eJobs > 1 ? { maxWorkers: e2eJobs, minWorkers: 1 } : {}),
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          environment: "node",
          // Pure logic without global state worth isolating: each file in a fresh module graph
          // spent most of the unit run importing the same modules again (collect 74 s of 196 s).
          isolate: false,
          // In CI the unit files run beside the e2e files' labs (load 10-17): explore's fake-lab
          // test, 1-2 s on a quiet machine, took 5.2 s there and failed vitest's default of 5 s.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          ...e2eTimeouts,
          // One cluster at a time by default (the machine has 2 cores); see PGCHAOS_E2E_JOBS.
          pool: "forks",
          poolOptions: { forks: { singleFork: e2eJobs === 1 } },
        },
      },
      {
        // `import ... from "pgchaos"` resolves to this checkout, as the package would in a user's repo.
        resolve: { alias: { pgchaos: fileURLToPath(new URL("./src/index.ts", import.meta.url)) } },
        test: {
          name: "gameday",
          include: ["test/gameday/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          ...e2eTimeouts,
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
