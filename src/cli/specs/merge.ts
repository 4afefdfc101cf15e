import { defineCommand } from "../command.js";

export default defineCommand({
  name: "merge",
  summary: "One index from several game days, or one exploration from its shards' OUTs (e.g. the --shard runs of CI runners).",
  args: { usage: "DIR...", min: 1 },
  details:
    "Game-day folders (reports/<id>/ of pgchaos run): one summary, index and JUnit file over their runs, linking the original\n" +
    "reports; a scenario may be in one folder only. Exit codes: 0 all passed, 1 a run failed, 2 a run errored or bad input.\n" +
    "\n" +
    "Explore OUTs (pgchaos explore --shard I/N --out DIR, one per runner): one exploration. The runs index as above; findings of\n" +
    "one signature become one (the smallest minimal schedule, the schedules of every shard, each shard's rate), copied into\n" +
    "findings/ of --out with the failing run each links to; findings.md/.json/.html as explore writes them. The OUTs must share the\n" +
    "seed and options (all but --shard) and be different shards. Exit codes: 0 no finding, 1 a finding, 2 bad input.\n" +
    "Game-day folders and explore OUTs do not mix.",
  options: {
    out: { type: "string", value: "DIR", help: "where the merged index (and findings) go (default: reports/merged-<id>)" },
  },
  async run(v, dirs, io) {
    const { mergeCommand } = await import("../commands/merge.js");
    return mergeCommand({ dirs, out: v.out }, io.out);
  },
});
