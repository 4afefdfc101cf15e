import { defineCommand } from "../command.js";
import { UserFacingError } from "../../util/errors.js";

function intArg(name: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UserFacingError(`${name} must be a whole number from ${min} to ${max}, not '${v}'`);
  return n;
}

export default defineCommand({
  name: "up",
  summary: "Start a lab cluster, print how to reach it, and keep it until Ctrl-C.",
  options: {
    etcd: { type: "string", value: "N", default: "3", help: "etcd members, 1..7" },
    patroni: { type: "string", value: "N", default: "3", help: "Patroni nodes, 1..5" },
    scenario: { type: "string", value: "FILE", help: "take topology and Patroni settings from this scenario instead" },
    reports: { type: "string", value: "DIR", default: "reports", help: "where the lab's container logs go (DIR/RUN_ID/logs)" },
    "show-secrets": { type: "boolean", help: "print the generated superuser password" },
    stack: { type: "string", value: "NAME", help: "the lab's stack: bookworm (default), trixie, sid" },
    image: { type: "string", value: "REF", help: "your own lab image instead (checked against docs/image-contract.md)" },
    "install-engine": { type: "boolean", help: "as root on Debian: install (docker.io) and start a Docker engine when none answers" },
  },
  async run(v, _args, io) {
    const etcd = intArg("--etcd", v.etcd, 1, 7);
    const patroni = intArg("--patroni", v.patroni, 1, 5);
    if (v["install-engine"]) (await import("../../engine/docker-engine.js")).allowSystemChanges();
    const { upCommand } = await import("../commands/up.js");
    return upCommand({ etcd, patroni, scenario: v.scenario, reportsDir: v.reports, showSecrets: v["show-secrets"], stack: v.stack, image: v.image }, io.out);
  },
});
