import { defineConfig } from "vitest/config";

// Two projects: `unit` is pure logic (schema, planning, checkers on recorded histories,
// report rendering) and needs no Docker; `e2e` starts real containers on a real engine.
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
          testTimeout: 15 * 60_000,
          hookTimeout: 20 * 60_000,
          // One cluster at a time: the machine has 2 cores.
          pool: "forks",
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
