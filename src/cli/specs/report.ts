import { defineCommand } from "../command.js";

export default defineCommand({
  name: "report",
  summary: "Re-judge and re-render reports from a journal.jsonl, a run directory or a game-day directory.",
  args: { usage: "PATH", min: 1 },
  details: "The journal is the record: a checker fix applies to runs recorded earlier. Exit codes as for run.",
  options: {
    reports: { type: "string", value: "DIR", help: "write there instead of next to each journal" },
    strict: { type: "boolean", help: "as for run" },
    "known-issues": { type: "string", value: "FILE", help: "judge against this shared known-issues file instead of the one recorded with the run (the scenario's own entries are kept)" },
  },
  async run(v, paths, io) {
    if (paths.length !== 1) throw new (await import("../../util/errors.js")).UserFacingError("pgchaos report: name one journal.jsonl, run directory or game-day directory");
    const { reportCommand } = await import("../commands/report.js");
    return reportCommand({ path: paths[0], reportsDir: v.reports, strict: v.strict, knownIssuesFile: v["known-issues"] }, io.out);
  },
});
