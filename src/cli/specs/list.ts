import { defineCommand } from "../command.js";

export default defineCommand({
  name: "list",
  summary: "List scenarios: name, description, tags, incident and file.",
  args: { usage: "[PATHS...]" },
  details: "PATHS are scenario files or directories searched for *.yaml (default: scenarios). Invalid files are\nreported on stderr (exit 2); the valid ones are still listed.",
  options: {
    json: { type: "boolean", help: "print a JSON array instead of a table" },
    tag: { type: "string", value: "T", multiple: true, help: "only scenarios with tag T (given more than once: any of them)" },
    grep: { type: "string", value: "RE", help: "only scenarios whose name matches the regular expression RE" },
  },
  async run(v, paths, io) {
    const { listCommand } = await import("../commands/list.js");
    return listCommand({ paths: paths.length ? paths : ["scenarios"], json: v.json, tags: v.tag, grep: v.grep }, io);
  },
});
