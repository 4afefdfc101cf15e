import { defineCommand } from "../command.js";

/** Internal to `run -j N`: one game-day run in a process of its own (gameday/child.ts). */
export default defineCommand({
  name: "run-unit",
  summary: "(internal to run -j) one scenario run into DIR.",
  hidden: true,
  args: { usage: "FILE", min: 1 },
  options: {
    dir: { type: "string", value: "DIR", help: "the run's report folder" },
    "time-scale": { type: "string", value: "X", help: "as for run" },
    seed: { type: "string", value: "N", help: "as for run" },
    stack: { type: "string", value: "NAME", help: "as for run" },
    image: { type: "string", value: "REF", help: "as for run" },
    "patroni-config": { type: "string", value: "FILE", help: "as for run" },
  },
  async run(v, files, io) {
    if (files.length !== 1 || !v.dir) throw new (await import("../../util/errors.js")).UserFacingError("pgchaos run-unit FILE --dir DIR (internal to run -j)");
    void io;
    const { runUnitCommand } = await import("../commands/run.js");
    return runUnitCommand({ file: files[0], dir: v.dir, timeScale: v["time-scale"], seed: v.seed, stack: v.stack, image: v.image, patroniConfigFile: v["patroni-config"] });
  },
});
