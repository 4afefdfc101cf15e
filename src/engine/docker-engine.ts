import { spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import Dockerode from "dockerode";
import { execa } from "execa";
import { UserFacingError, errorText } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { sleep } from "../util/time.js";

// pgchaos cleans up after itself (labels + reaping); Ryuk cannot be pulled in offline labs.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

const DOCKERD_LOG = "/var/log/pgchaos-dockerd.log";

async function ping(docker: Dockerode, timeoutMs = 3000): Promise<boolean> {
  try {
    await Promise.race([
      docker.ping(),
      sleep(timeoutMs).then(() => {
        throw new Error("timeout");
      }),
    ]);
    return true;
  } catch {
    return false;
  }
}

function canSelfInstall(): boolean {
  return (
    !process.env.DOCKER_HOST &&
    process.getuid?.() === 0 &&
    existsSync("/etc/debian_version") &&
    process.env.PGCHAOS_NO_ENGINE_INSTALL !== "1"
  );
}

/**
 * Finds a Docker engine (DOCKER_HOST or the default socket). Where none answers and we are
 * root on Debian, installs Debian's docker.io and starts dockerd, then waits until it answers.
 * Otherwise stops with one sentence saying what to do.
 */
export async function ensureEngine(progress: Progress): Promise<Dockerode> {
  const docker = new Dockerode();
  if (await ping(docker)) return docker;
  if (!canSelfInstall()) {
    const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : "/var/run/docker.sock";
    throw new UserFacingError(
      `No Docker engine answers at ${where}: install and start one (on Debian: apt-get install docker.io && dockerd &), or point DOCKER_HOST at a running engine.`,
    );
  }
  if (!existsSync("/usr/sbin/dockerd") && !existsSync("/usr/bin/dockerd")) {
    progress("no Docker engine found; installing Debian's docker.io (apt-get) ...");
    try {
      await execa("apt-get", ["update", "-q"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
      await execa("apt-get", ["install", "-y", "-q", "docker.io"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
    } catch (e) {
      throw new UserFacingError(`Installing docker.io with apt-get failed: ${errorText(e).split("\n").slice(-3).join(" ")}`);
    }
  }
  progress(`starting dockerd (log: ${DOCKERD_LOG}) ...`);
  const dockerd = existsSync("/usr/sbin/dockerd") ? "/usr/sbin/dockerd" : "/usr/bin/dockerd";
  const out = openSync(DOCKERD_LOG, "a");
  // Detached: the engine outlives this process, like a system service would.
  const child = spawn(dockerd, [], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  for (let i = 0; i < 120; i++) {
    if (await ping(docker, 1000)) {
      progress("dockerd is up");
      return docker;
    }
    await sleep(500);
  }
  throw new UserFacingError(`dockerd did not answer within 60 s; see ${DOCKERD_LOG}.`);
}
