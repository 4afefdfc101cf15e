import { defineCommand } from "../command.js";

export default defineCommand({
  name: "doctor",
  summary: "Read-only checks of a live Patroni cluster (no containers needed).",
  details: "Exit codes: 0 clean, 1 findings, 2 bad input or unreachable.",
  options: {
    etcd: { type: "string", value: "URL[,URL...]", help: "etcd endpoints (http://host:2379)" },
    scope: { type: "string", value: "NAME", help: "Patroni scope (default: the only cluster under the namespace)" },
    namespace: { type: "string", value: "NS", help: "DCS namespace (default /service/)" },
    patroni: { type: "string", value: "URL[,URL...]", help: "extra Patroni REST APIs to examine (http://host:8008)" },
    resolve: { type: "string", value: "NAME:PORT=HOST:PORT|NAME=HOST", multiple: true, help: "reach an advertised address elsewhere" },
    lab: { type: "string", value: "RUN_ID", optionalValue: true, help: "a pgchaos lab (alone: the only one running)" },
    timeout: { type: "string", value: "D", help: "per request (default 2s)" },
    json: { type: "boolean", help: "print JSON instead of a table" },
    snapshot: { type: "boolean", help: "with --json: include every raw answer (for --replay)" },
    replay: { type: "string", value: "FILE", help: "run the checks on a saved snapshot instead of a live cluster" },
  },
  async run(v, _args, io) {
    const { doctorCommand } = await import("../commands/doctor.js");
    return doctorCommand(v, io.out);
  },
});
