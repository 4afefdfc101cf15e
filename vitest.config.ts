import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { defaultJobs } from "./src/gameday/jobs.js";

const e2eTimeouts = { testTimeout: 15 * 60_000, hookTimeout: 20 * 60_000 };

// Projects: `unit` is pure logic (schema, planning, checkers on recorded histories, report
// rendering) and needs no Docker; `e2e` starts real containers on a real engine and checks
// pgchaos itself; `gameday` runs every scenario through the public library API and requires
// each to pass (what a team's own suite would do; not part of `npm test`).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["src/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/e2e/global-setup.ts"],
          ...e2eTimeouts,
          // One test file at a time (cli.test.ts's gc test needs no other run reaping dead labs
          // meanwhile); inside a file, tests marked concurrent (the shipped scenarios) run up
          // to this many labs at once.
          maxConcurrency: Number(process.env.PGCHAOS_E2E_JOBS ?? defaultJobs()),
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
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
