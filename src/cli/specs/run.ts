import { defineCommand } from "../command.js";

export default defineCommand({
  name: "run",
  summary: "Run scenario files or directories, each in a lab of its own, and write their reports.",
  args: { usage: "[PATHS...]" },
  details:
    "PATHS are scenario files or directories searched for *.yaml (default: scenarios). Every scenario is\n" +
    "validated before any lab starts. Exit codes: 0 all passed (or failed only by known issues), 1 a scenario failed, 2 bad input or\n" +
    "infrastructure, 130 interrupted.",
  options: {
    reports: { type: "string", value: "DIR", default: "reports", help: "where reports go (a folder per game day)" },
    "time-scale": { type: "string", value: "X", help: "stretch every time budget by X, 0.1..20 (also PGCHAOS_TIME_SCALE)" },
    shard: { type: "string", value: "I/N", help: "run only the I-th of N deterministic shares of the scenarios" },
    tag: { type: "string", value: "T", multiple: true, help: "only scenarios with tag T (given more than once: any of them)" },
    grep: { type: "string", value: "RE", help: "only scenarios whose name matches the regular expression RE" },
    jobs: { type: "string", short: "j", value: "N", help: "labs at a time (default: what the machine's idle cores and free memory carry, less other pgchaos runs' labs)" },
    repeat: { type: "string", value: "N", help: "run each scenario N times (reports in <scenario>/run-NN/; pass rates with 95% intervals)" },
    "until-fail": { type: "boolean", help: "repeat each scenario until a run does not pass (at most --repeat N, default 100)" },
    for: { type: "string", value: "D", help: "repeat the scenarios round by round for D (e.g. 30m); no run starts after D" },
    stack: { type: "string", value: "NAME[,NAME...]", help: "the lab's stack: bookworm (default), trixie, sid (see pgchaos image --stack); several, comma-separated: every scenario on each, and one comparison of the stacks" },
    image: { type: "string", value: "REF", help: "your own lab image instead (checked against docs/image-contract.md before any lab starts)" },
    "patroni-config": { type: "string", value: "FILE", help: "your patroni.yml, merged into every node (pgchaos keeps addresses, names, credentials, paths)" },
    strict: { type: "boolean", help: "a failure explained by a known issue fails the game day too (exit 1)" },
    seed: { type: "string", value: "N", help: "seed of the harness's random choices (default: random; printed in every report)" },
    json: { type: "boolean", help: "print the summary JSON on stdout (progress and tables go to stderr)" },
    "install-engine": { type: "boolean", help: "as root on Debian: install (docker.io) and start a Docker engine when none answers" },
  },
  async run(v, paths, io) {
    if (v["install-engine"]) (await import("../../engine/docker-engine.js")).allowSystemChanges();
    const { runCommand } = await import("../commands/run.js");
    return runCommand(
      { paths: paths.length ? paths : ["scenarios"], reportsDir: v.reports, timeScale: v["time-scale"], shard: v.shard,
        tags: v.tag,
        grep: v.grep,
        jobs: v.jobs,
        repeat: v.repeat,
        untilFail: v["until-fail"],
        for: v.for,
        json: v.json,
        strict: v.strict,
        seed: v.seed,
        stack: v.stack,
        image: v.image,
        patroniConfigFile: v["patroni-config"],
      },
      io.out,
    );
  },
});
