import { defineCommand } from "../command.js";

export default defineCommand({
  name: "validate",
  summary: "Check scenario files without Docker: every problem with file, line and column.",
  args: { usage: "PATHS...", min: 1 },
  details: "PATHS are scenario files or directories searched for *.yaml. Exit codes: 0 all valid, 2 any invalid.",
  options: {},
  async run(_v, paths, io) {
    const { validateCommand } = await import("../commands/validate.js");
    return validateCommand(paths, { stdout: io.out, stderr: io.err });
  },
});
