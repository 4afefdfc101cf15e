import { createHash } from "node:crypto";
import path from "node:path";

/**
 * Where a Docker engine may be, in the order testcontainers looks (tc.host and docker.host in
 * ~/.testcontainers.properties, DOCKER_HOST, /var/run/docker.sock, rootless and Docker Desktop
 * sockets), with what testcontainers does not know inserted where the docker CLI would use it:
 * the CLI's context (DOCKER_CONTEXT or currentContext) before the default socket, Colima after
 * the others.
 *
 * Our own small list rather than testcontainers' strategy classes: those are not exported from
 * the package, read process.env and the home directory once and cache them (so they cannot be
 * tested with a fake environment), and know neither docker contexts nor Colima. pgchaos exports
 * the engine it chose as DOCKER_HOST, so testcontainers (which creates the lab's containers)
 * uses the same one.
 */

export interface EngineCandidate {
  /** How it was found, for messages: "DOCKER_HOST", "docker context 'colima'", ... */
  source: string;
  /** unix:///path or tcp://host:port (what DOCKER_HOST would say). */
  uri: string;
  /** A directory with ca.pem, cert.pem and key.pem, when the engine wants TLS. */
  tlsCertPath?: string;
  /** Named by the user's configuration (not a well-known socket that happens to exist). */
  configured?: boolean;
}

/** What discovery may look at: the real machine in production, fakes in unit tests. */
export interface DiscoveryHost {
  env: Record<string, string | undefined>;
  home: string;
  uid: number;
  platform: NodeJS.Platform;
  exists(p: string): boolean;
  /** File contents, or undefined when absent or unreadable. */
  read(p: string): string | undefined;
}

interface Strategy {
  name: string;
  candidates(h: DiscoveryHost): EngineCandidate[];
}

/** The subset of Java .properties syntax ~/.testcontainers.properties uses: key=value or key: value lines. */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("!")) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim();
  }
  return out;
}

function tcProperties(h: DiscoveryHost): Record<string, string> {
  const text = h.read(path.join(h.home, ".testcontainers.properties"));
  return text ? parseProperties(text) : {};
}

function tlsFrom(verify: string | undefined, certPath: string | undefined, h: DiscoveryHost): string | undefined {
  if (verify !== "1" && verify !== "true") return undefined;
  return certPath ?? path.join(h.home, ".docker");
}

function socketCandidate(source: string, socketPath: string, h: DiscoveryHost): EngineCandidate[] {
  return h.exists(socketPath) ? [{ source, uri: `unix://${socketPath}` }] : [];
}

const unixLike = (h: DiscoveryHost) => h.platform === "linux" || h.platform === "darwin";

/** The docker CLI's context: DOCKER_CONTEXT, else currentContext in ~/.docker/config.json ("default" means the usual socket). */
function dockerContext(h: DiscoveryHost): EngineCandidate[] {
  const dockerDir = h.env.DOCKER_CONFIG ?? path.join(h.home, ".docker");
  let name = h.env.DOCKER_CONTEXT;
  if (!name) {
    const config = h.read(path.join(dockerDir, "config.json"));
    if (!config) return [];
    try {
      name = (JSON.parse(config) as { currentContext?: string }).currentContext;
    } catch {
      return [];
    }
  }
  if (!name || name === "default") return [];
  // The CLI stores each context under the sha256 of its name.
  const id = createHash("sha256").update(name).digest("hex");
  const meta = h.read(path.join(dockerDir, "contexts", "meta", id, "meta.json"));
  if (!meta) return [];
  let endpoint: { Host?: string; SkipTLSVerify?: boolean } | undefined;
  try {
    endpoint = (JSON.parse(meta) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } }).Endpoints?.docker;
  } catch {
    return [];
  }
  if (!endpoint?.Host) return [];
  const tlsDir = path.join(dockerDir, "contexts", "tls", id, "docker");
  const tls = h.exists(path.join(tlsDir, "ca.pem")) ? tlsDir : undefined;
  return [{ source: `docker context '${name}'`, uri: endpoint.Host, configured: true, ...(tls ? { tlsCertPath: tls } : {}) }];
}

/** In order: the first candidate whose engine answers is used (only configured ones, when there are any). */
export const STRATEGIES: readonly Strategy[] = [
  {
    name: "tc.host in ~/.testcontainers.properties",
    candidates: (h) => {
      const v = tcProperties(h)["tc.host"];
      return v ? [{ source: "tc.host in ~/.testcontainers.properties", uri: v, configured: true }] : [];
    },
  },
  {
    name: "DOCKER_HOST",
    candidates: (h) => {
      const v = h.env.DOCKER_HOST;
      if (!v) return [];
      const tls = mergedTls(h);
      return [{ source: "DOCKER_HOST", uri: v, configured: true, ...(tls ? { tlsCertPath: tls } : {}) }];
    },
  },
  {
    name: "docker.host in ~/.testcontainers.properties",
    candidates: (h) => {
      const v = tcProperties(h)["docker.host"];
      if (!v) return [];
      const tls = mergedTls(h);
      return [{ source: "docker.host in ~/.testcontainers.properties", uri: v, configured: true, ...(tls ? { tlsCertPath: tls } : {}) }];
    },
  },
  { name: "docker CLI context", candidates: dockerContext },
  {
    name: "/var/run/docker.sock",
    candidates: (h) => (unixLike(h) ? socketCandidate("/var/run/docker.sock", "/var/run/docker.sock", h) : []),
  },
  {
    name: "rootless Docker and Docker Desktop",
    candidates: (h) => {
      if (!unixLike(h)) return [];
      return [
        h.env.XDG_RUNTIME_DIR ? ["rootless Docker ($XDG_RUNTIME_DIR)", path.join(h.env.XDG_RUNTIME_DIR, "docker.sock")] : undefined,
        ["Docker Desktop (~/.docker/run)", path.join(h.home, ".docker", "run", "docker.sock")],
        ["Docker Desktop (~/.docker/desktop)", path.join(h.home, ".docker", "desktop", "docker.sock")],
        ["rootless Docker (/run/user)", `/run/user/${h.uid}/docker.sock`],
      ]
        .filter((x): x is string[] => !!x)
        .flatMap(([source, p]) => socketCandidate(source, p, h));
    },
  },
  {
    name: "Colima",
    candidates: (h) => (unixLike(h) ? socketCandidate("Colima", path.join(h.home, ".colima", "default", "docker.sock"), h) : []),
  },
  {
    // testcontainers' NpipeSocketStrategy: on Windows it assumes the pipe without looking.
    name: "Docker Desktop on Windows (named pipe)",
    candidates: (h) => (h.platform === "win32" ? [{ source: "Docker Desktop on Windows (named pipe)", uri: WINDOWS_PIPE_URI }] : []),
  },
];

/** Docker Desktop's named pipe on Windows, as a DOCKER_HOST URI. */
export const WINDOWS_PIPE_URI = "npipe:////./pipe/docker_engine";

/**
 * TLS settings as testcontainers reads them: the properties file, each key overridden by its
 * environment variable (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), whichever says where the engine is.
 */
function mergedTls(h: DiscoveryHost): string | undefined {
  const p = tcProperties(h);
  return tlsFrom(h.env.DOCKER_TLS_VERIFY ?? p["docker.tls.verify"], h.env.DOCKER_CERT_PATH ?? p["docker.cert.path"], h);
}

/**
 * Where a container's published ports are reached from pgchaos, as testcontainers decides it:
 * TESTCONTAINERS_HOST_OVERRIDE (except for tc.host, which testcontainers never overrides), the
 * host of a tcp/http(s) engine, else this machine. (testcontainers also looks for a gateway when
 * it runs inside a container itself; pgchaos takes the host from testcontainers where it can.)
 */
export function engineHost(c: EngineCandidate, env: Record<string, string | undefined>): string {
  if (env.TESTCONTAINERS_HOST_OVERRIDE && !c.source.startsWith("tc.host")) return env.TESTCONTAINERS_HOST_OVERRIDE;
  const u = new URL(c.uri);
  return ["tcp:", "http:", "https:"].includes(u.protocol) ? u.hostname : "localhost";
}

/**
 * Whether the engine runs on this machine: reached through a Unix socket or a Windows pipe.
 * Only then do the engine's process ids and bridge addresses mean anything here. An engine
 * reached over TCP counts as remote even at 127.0.0.1 (it may be a tunnel to another machine).
 */
export function engineIsLocal(uri: string | undefined): boolean {
  if (!uri) return true;
  const protocol = new URL(uri).protocol;
  return protocol === "unix:" || protocol === "npipe:";
}

/** Every candidate in the order to try, without duplicates (the same URI found twice is tried once). */
export function engineCandidates(h: DiscoveryHost): EngineCandidate[] {
  const seen = new Set<string>();
  const out: EngineCandidate[] = [];
  for (const s of STRATEGIES) {
    for (const c of s.candidates(h)) {
      if (seen.has(c.uri)) continue;
      seen.add(c.uri);
      out.push(c);
    }
  }
  return out;
}

/** The places looked at, for the "no engine" message. */
export function strategyNames(): string[] {
  return STRATEGIES.map((s) => s.name);
}
