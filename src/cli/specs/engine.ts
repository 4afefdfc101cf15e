import { defineCommand } from "../command.js";

export default defineCommand({
  name: "engine",
  summary: "Show which Docker engine pgchaos uses and how it was found.",
  details:
    "Looked for in this order: tc.host in ~/.testcontainers.properties, DOCKER_HOST, docker.host in\n" +
    "~/.testcontainers.properties, the docker CLI's context, /var/run/docker.sock, rootless and Docker\n" +
    "Desktop sockets, Colima. The first that answers is used.",
  options: {
    "install-engine": { type: "boolean", help: "as root on Debian: install (docker.io) and start a Docker engine when none answers" },
  },
  async run(v, _args, io) {
    const { allowSystemChanges, engineInfo } = await import("../../engine/docker-engine.js");
    const { stderrProgress } = await import("../../util/progress.js");
    if (v["install-engine"]) allowSystemChanges();
    const { docker, candidate } = await engineInfo(stderrProgress);
    const version = await docker.version();
    io.out(`${candidate.uri} (${candidate.source}): Docker ${version.Version}, ${version.Os}/${version.Arch}`);
    return 0;
  },
});
