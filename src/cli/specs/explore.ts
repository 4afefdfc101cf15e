import { defineCommand } from "../command.js";

export default defineCommand({
  name: "explore",
  summary: "Draw fault schedules from a seed, run each in a lab, rerun and shrink what fails to a minimal scenario.",
  args: { usage: "[PATHS...]" },
  details:
    "PATHS are base scenarios (files or directories): each schedule takes one's lab, workload and invariants, not its steps\n" +
    "(default: the default lab, 3 etcd members and 3 Patroni nodes). A schedule is an ordinary scenario: 1 to --max-steps faults\n" +
    "and actions, Patroni settings drawn too, every fault healed, then the cluster must settle. A failure no known issue explains is\n" +
    "rerun --reruns times for a reproduction rate and shrunk (a candidate is kept while 1 of the reruns fails); each finding gets\n" +
    "OUT/findings/<signature>/minimal.yaml, which runs as is from scenarios/. Ctrl-C keeps everything; the same command (same --out)\n" +
    "resumes. Exit codes: 0 no finding, 1 a finding, 2 bad input or infrastructure, 130 interrupted.",
  options: {
    out: { type: "string", value: "DIR", help: "where runs and findings go (default: reports/explore-<seed>)" },
    seed: { type: "string", value: "N", help: "seed of the schedules (default: the one OUT was started with, else random; printed and kept)" },
    runs: { type: "string", value: "N", help: "schedules to run in all, earlier sessions on OUT included (default 10)" },
    for: { type: "string", value: "D", help: "explore for this long (e.g. 8h) instead of --runs; no schedule starts after it" },
    jobs: { type: "string", short: "j", value: "N", help: "labs at a time (default: what the machine's idle cores and free memory carry, less other pgchaos runs' labs)" },
    stack: { type: "string", value: "NAME[,NAME...]", help: "the stacks schedules run on, one drawn per schedule (default bookworm)" },
    faults: { type: "string", value: "KIND,...", help: "fault kinds to draw from, or none (default: every kind explore can draw)" },
    actions: { type: "string", value: "KIND,...", help: "action kinds to draw from, or none (default: every kind explore can draw)" },
    "max-steps": { type: "string", value: "K", help: "at most K faults and actions per schedule (default 4)" },
    reruns: { type: "string", value: "K", help: "reruns of a new finding for its rate, and runs per shrink candidate (default 3)" },
    image: { type: "string", value: "REF", help: "your own lab image instead of a stack's (checked against docs/image-contract.md before any lab starts)" },
    "shrink-runs": { type: "string", value: "N", help: "lab runs one finding's shrink may spend (default 60; 0: rerun for the rate, do not shrink)" },
    shard: { type: "string", value: "I/N", help: "run only the I-th of N shares of the schedules (merge the OUTs with pgchaos merge)" },
    "install-engine": { type: "boolean", help: "as root on Debian: install (docker.io) and start a Docker engine when none answers" },
  },
  async run(v, paths, io) {
    if (v["install-engine"]) (await import("../../engine/docker-engine.js")).allowSystemChanges();
    const { exploreCommand } = await import("../commands/explore.js");
    return exploreCommand({ ...v, paths }, io.out);
  },
});
