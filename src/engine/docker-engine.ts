import { spawn } from "node:child_process";
import { existsSync, openSync, readFileSync } from "node:fs";
import { homedir, networkInterfaces, userInfo } from "node:os";
import path from "node:path";
import Dockerode from "dockerode";
import { execa } from "execa";
import { UserFacingError, errorText } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { sleep } from "../util/time.js";
import { engineCandidates, strategyNames, type DiscoveryHost, type EngineCandidate } from "./discover.js";

// pgchaos cleans up after itself (labels, its own reaper, gc); Ryuk cannot be pulled in offline labs.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";

const DOCKERD_LOG = "/var/log/pgchaos-dockerd.log";
const DEFAULT_SOCKET = "/var/run/docker.sock";

/**
 * Whether pgchaos may change the machine: install Debian packages (docker.io, debootstrap) and
 * start a stopped dockerd. Off unless the user asked (`--install-engine`, scripts/setup.sh, the
 * e2e global setup); starting alone is also allowed by PGCHAOS_START_ENGINE=1.
 */
let systemChangesAllowed = false;

/** `--install-engine`: from now on this process may install and start the engine (and debootstrap). */
export function allowSystemChanges(): void {
  systemChangesAllowed = true;
}
export function systemPackagesAllowed(): boolean {
  return systemChangesAllowed;
}
function startAllowed(): boolean {
  return systemChangesAllowed || process.env.PGCHAOS_START_ENGINE === "1";
}

export interface FoundEngine {
  docker: Dockerode;
  candidate: EngineCandidate;
}

export function realDiscoveryHost(): DiscoveryHost {
  return {
    env: process.env,
    home: homedir(),
    uid: process.getuid?.() ?? userInfo().uid,
    platform: process.platform,
    exists: (p) => existsSync(p),
    read: (p) => {
      try {
        return readFileSync(p, "utf8");
      } catch {
        return undefined;
      }
    },
  };
}

/** Dockerode options for a DOCKER_HOST-style URI; undefined for schemes dockerode cannot speak here. */
export function dockerodeOptions(c: EngineCandidate): Dockerode.DockerOptions | undefined {
  const u = new URL(c.uri);
  // host: undefined, or docker-modem's defaults (read from DOCKER_HOST) would win over the socket.
  if (u.protocol === "unix:") return { socketPath: u.pathname, host: undefined };
  // npipe:////./pipe/docker_engine -> //./pipe/docker_engine, as testcontainers passes it.
  if (u.protocol === "npipe:") return { socketPath: c.uri.slice("npipe:".length).replace(/^\/\//, ""), host: undefined };
  if (!["tcp:", "http:", "https:"].includes(u.protocol)) return undefined;
  const tls = c.tlsCertPath !== undefined || u.protocol === "https:";
  const opts: Dockerode.DockerOptions = { host: u.hostname, port: u.port || (tls ? 2376 : 2375), protocol: tls ? "https" : "http" };
  if (c.tlsCertPath) {
    opts.ca = readFileSync(path.join(c.tlsCertPath, "ca.pem"));
    opts.cert = readFileSync(path.join(c.tlsCertPath, "cert.pem"));
    opts.key = readFileSync(path.join(c.tlsCertPath, "key.pem"));
  }
  return opts;
}

async function ping(docker: Dockerode, timeoutMs = 3000): Promise<string | undefined> {
  try {
    await Promise.race([
      docker.ping(),
      sleep(timeoutMs).then(() => {
        throw new Error(`no answer within ${timeoutMs} ms`);
      }),
    ]);
    return undefined;
  } catch (e) {
    return errorText(e).split("\n")[0].slice(0, 120);
  }
}

/** Pins the chosen engine for testcontainers (it creates the lab's containers) and child processes. */
function exportEngine(c: EngineCandidate) {
  process.env.DOCKER_HOST = c.uri;
  if (c.tlsCertPath) {
    process.env.DOCKER_TLS_VERIFY = "1";
    process.env.DOCKER_CERT_PATH = c.tlsCertPath;
  }
}

let found: Promise<FoundEngine> | undefined;

/**
 * The Docker engine to use: the first that answers among the places testcontainers and the
 * docker CLI look (see discover.ts); where the user named engines, only those. When none answers, stops with a sentence saying how to get
 * one; only when allowed (allowSystemChanges, or PGCHAOS_START_ENGINE=1 for starting) does it
 * install Debian's docker.io and start dockerd. The answer is kept for the process.
 */
export async function ensureEngine(progress: Progress): Promise<Dockerode> {
  found ??= findEngine(progress).catch((e: unknown) => {
    found = undefined;
    throw e;
  });
  return (await found).docker;
}

/** Which engine pgchaos uses and how it was found (`pgchaos engine`). */
export async function engineInfo(progress: Progress): Promise<FoundEngine> {
  await ensureEngine(progress);
  return found!;
}

async function findEngine(progress: Progress): Promise<FoundEngine> {
  const all = engineCandidates(realDiscoveryHost());
  // An engine the user named (DOCKER_HOST, a context, ~/.testcontainers.properties) is used or
  // reported, never silently replaced by another that happens to run here.
  const configured = all.filter((c) => c.configured);
  const candidates = configured.length ? configured : all;
  const tried: string[] = [];
  for (const c of candidates) {
    const opts = dockerodeOptions(c);
    if (!opts) {
      tried.push(`${c.uri} (${c.source}): scheme not supported`);
      continue;
    }
    const docker = new Dockerode(opts);
    const why = await ping(docker);
    if (!why) {
      exportEngine(c);
      return { docker, candidate: c };
    }
    tried.push(`${c.uri} (${c.source}): ${why}`);
  }
  const triedText = tried.length ? `tried ${tried.join("; ")}` : `looked at ${strategyNames().join(", ")}`;
  if (configured.length) {
    throw new UserFacingError(`The Docker engine configured for pgchaos does not answer (${triedText}): start it, or correct or remove that setting.`);
  }
  const canManage = process.getuid?.() === 0 && process.platform === "linux";
  const dockerd = ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((p) => existsSync(p));
  const how =
    "start one or point DOCKER_HOST at one; on Debian, as root, `--install-engine` (pgchaos run, up, image, engine) or `bash scripts/setup.sh` installs and starts Debian's docker.io";
  if (!canManage) throw new UserFacingError(`No Docker engine answers (${triedText}): ${how}.`);
  if (!dockerd) {
    if (!systemChangesAllowed) throw new UserFacingError(`No Docker engine is installed (${triedText}): ${how}.`);
    if (!existsSync("/etc/debian_version")) throw new UserFacingError(`No Docker engine is installed and this is not Debian: install one and start it.`);
    progress("no Docker engine installed; installing Debian's docker.io (apt-get) ...");
    try {
      await execa("apt-get", ["update", "-q"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
      await execa("apt-get", ["install", "-y", "-q", "docker.io"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
    } catch (e) {
      throw new UserFacingError(`Installing docker.io with apt-get failed: ${errorText(e).split("\n").slice(-3).join(" ")}`);
    }
  } else if (!startAllowed()) {
    throw new UserFacingError(
      `A Docker engine is installed (${dockerd}) but not running (${triedText}): start it (e.g. systemctl start docker), or let pgchaos start it with --install-engine or PGCHAOS_START_ENGINE=1.`,
    );
  }
  const docker = await startDockerd(progress);
  const c: EngineCandidate = { source: "dockerd started by pgchaos", uri: `unix://${DEFAULT_SOCKET}` };
  exportEngine(c);
  return { docker, candidate: c };
}

async function startDockerd(progress: Progress): Promise<Dockerode> {
  const dockerd = existsSync("/usr/sbin/dockerd") ? "/usr/sbin/dockerd" : "/usr/bin/dockerd";
  progress(`starting dockerd (log: ${DOCKERD_LOG}) ...`);
  const out = openSync(DOCKERD_LOG, "a");
  // Detached: the engine outlives this process, like a system service would.
  const child = spawn(dockerd, [], { detached: true, stdio: ["ignore", out, out] });
  child.unref();
  const docker = new Dockerode({ socketPath: DEFAULT_SOCKET });
  for (let i = 0; i < 120; i++) {
    if (!(await ping(docker, 1000))) {
      progress("dockerd is up");
      return docker;
    }
    await sleep(500);
  }
  throw new UserFacingError(`dockerd did not answer within 60 s; see ${DOCKERD_LOG}.`);
}

/** Whether `ip` is an address of this machine (one of its network interfaces). */
export function isLocalAddress(ip: string): boolean {
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === ip));
}
