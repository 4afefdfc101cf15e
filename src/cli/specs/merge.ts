import { defineCommand } from "../command.js";

export default defineCommand({
  name: "merge",
  summary: "One game-day index, summary and JUnit file from several game days (e.g. the --shard runs of CI runners).",
  args: { usage: "DIR...", min: 1 },
  options: {
    out: { type: "string", value: "DIR", help: "where the merged index goes (default: reports/merged-<id>)" },
  },
  async run(v, dirs, io) {
    const { mergeCommand } = await import("../commands/merge.js");
    return mergeCommand({ dirs, out: v.out }, io.out);
  },
});
