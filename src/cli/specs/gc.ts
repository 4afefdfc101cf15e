import { defineCommand } from "../command.js";

export default defineCommand({
  name: "gc",
  summary: "Remove containers, networks and volumes (reapers included) of runs whose process is gone.",
  options: {
    all: { type: "boolean", help: "remove those of every run, live ones too" },
  },
  async run(v, _args, io) {
    const { gcCommand } = await import("../commands/gc.js");
    return gcCommand({ all: v.all }, io.out);
  },
});
