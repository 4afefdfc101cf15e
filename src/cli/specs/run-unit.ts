import { defineCommand } from "../command.js";

/** Internal to `run -j N` and `explore -j N`: a worker process that runs game-day units read from stdin (gameday/child.ts). */
export default defineCommand({
  name: "run-unit",
  summary: "(internal to run -j) run the scenario runs requested on stdin, one at a time.",
  hidden: true,
  options: {},
  async run() {
    const { runUnitCommand } = await import("../commands/run.js");
    return runUnitCommand();
  },
});
