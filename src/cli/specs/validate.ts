import { defineCommand } from "../command.js";

export default defineCommand({
  name: "validate",
  summary: "Check scenario files without Docker: every problem with file, line and column.",
  args: { usage: "PATHS...", min: 1 },
  details: "PATHS are scenario files or directories searched for *.yaml. Exit codes: 0 all valid, 2 any invalid.",
  options: {
    stack: { type: "string", value: "NAME[,NAME...]", help: "also reject what the stack cannot do (bookworm, trixie, sid); several, comma-separated (as run --stack): a scenario is rejected when no stack can run it, and the stacks it cannot run on are noted" },
  },
  async run(v, paths, io) {
    const { validateCommand } = await import("../commands/validate.js");
    const { stackByName } = await import("../../stacks/stacks.js");
    return validateCommand(paths, { stdout: io.out, stderr: io.err }, v.stack === undefined ? {} : { stacks: v.stack.split(",").map((x) => stackByName(x.trim())) });
  },
});
