import { defineCommand } from "../command.js";

export default defineCommand({
  name: "compare",
  summary: "Two game days' reports side by side: outcomes, checker figures, steps whose outcome differs.",
  args: { usage: "DIR_A DIR_B", min: 2 },
  options: {
    out: { type: "string", value: "DIR", help: "also write the comparison there" },
  },
  async run(v, dirs, io) {
    const { compareCommand } = await import("../commands/compare.js");
    return compareCommand(dirs, { out: v.out }, io.out);
  },
});
