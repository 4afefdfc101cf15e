import { defineCommand } from "../command.js";

export default defineCommand({
  name: "validate",
  summary: "Check scenario files without Docker: every problem with file, line and column.",
  args: { usage: "PATHS...", min: 1 },
  details: "PATHS are scenario files or directories searched for *.yaml. Exit codes: 0 all valid, 2 any invalid.",
  options: {
    stack: { type: "string", value: "NAME", help: "also reject what this stack cannot do (bookworm, trixie, sid)" },
  },
  async run(v, paths, io) {
    const { validateCommand } = await import("../commands/validate.js");
    const { stackByName } = await import("../../stacks/stacks.js");
    return validateCommand(paths, { stdout: io.out, stderr: io.err }, v.stack === undefined ? {} : { stack: stackByName(v.stack) });
  },
});
