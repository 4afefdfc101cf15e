import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
          // One cluster at a time: the machine has 2 cores.
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
