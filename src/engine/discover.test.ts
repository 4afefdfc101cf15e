import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { WINDOWS_PIPE_URI, engineCandidates, engineHost, engineIsLocal, parseProperties, type DiscoveryHost } from "./discover.js";
import { dockerodeOptions } from "./docker-engine.js";

const HOME = "/home/ann";

function host(files: Record<string, string>, env: Record<string, string> = {}, platform: NodeJS.Platform = "linux"): DiscoveryHost {
  return { env, home: HOME, uid: 1000, platform, exists: (p) => p in files, read: (p) => files[p] };
}

const ctxId = (name: string) => createHash("sha256").update(name).digest("hex");

/** Every place there is an engine, so the order of all strategies shows. */
const everything: Record<string, string> = {
  [`${HOME}/.testcontainers.properties`]: "# comment\ntc.host=tcp://tc-host:2375\ndocker.host = tcp://props-host:2375\n",
  [`${HOME}/.docker/config.json`]: JSON.stringify({ currentContext: "colima" }),
  [`${HOME}/.docker/contexts/meta/${ctxId("colima")}/meta.json`]: JSON.stringify({
    Name: "colima",
    Endpoints: { docker: { Host: "unix:///home/ann/.colima/default/docker.sock" } },
  }),
  "/var/run/docker.sock": "",
  "/xdg/docker.sock": "",
  [`${HOME}/.docker/run/docker.sock`]: "",
  [`${HOME}/.docker/desktop/docker.sock`]: "",
  "/run/user/1000/docker.sock": "",
  [`${HOME}/.colima/default/docker.sock`]: "",
};

describe("engine discovery order", () => {
  test("testcontainers' order, with the docker context before the default socket and Colima last", () => {
    const c = engineCandidates(host(everything, { DOCKER_HOST: "tcp://env-host:2376", XDG_RUNTIME_DIR: "/xdg" }));
    expect(c.map((x) => [x.source, x.uri])).toEqual([
      ["tc.host in ~/.testcontainers.properties", "tcp://tc-host:2375"],
      ["DOCKER_HOST", "tcp://env-host:2376"],
      ["docker.host in ~/.testcontainers.properties", "tcp://props-host:2375"],
      ["docker context 'colima'", "unix:///home/ann/.colima/default/docker.sock"],
      ["/var/run/docker.sock", "unix:///var/run/docker.sock"],
      ["rootless Docker ($XDG_RUNTIME_DIR)", "unix:///xdg/docker.sock"],
      ["Docker Desktop (~/.docker/run)", `unix://${HOME}/.docker/run/docker.sock`],
      ["Docker Desktop (~/.docker/desktop)", `unix://${HOME}/.docker/desktop/docker.sock`],
      ["rootless Docker (/run/user)", "unix:///run/user/1000/docker.sock"],
      // Colima's socket was already named by the context: tried once.
    ]);
    expect(c.filter((x) => x.configured).map((x) => x.source)).toEqual([
      "tc.host in ~/.testcontainers.properties",
      "DOCKER_HOST",
      "docker.host in ~/.testcontainers.properties",
      "docker context 'colima'",
    ]);
  });

  test("nothing configured and nothing there: no candidates", () => {
    expect(engineCandidates(host({}))).toEqual([]);
  });

  test("only sockets that exist are candidates; Colima is found without a context", () => {
    const c = engineCandidates(host({ [`${HOME}/.colima/default/docker.sock`]: "", "/run/user/1000/docker.sock": "" }));
    expect(c.map((x) => x.source)).toEqual(["rootless Docker (/run/user)", "Colima"]);
  });

  test("DOCKER_CONTEXT wins over currentContext; 'default' means the default socket", () => {
    const files = {
      ...everything,
      [`${HOME}/.docker/contexts/meta/${ctxId("remote")}/meta.json`]: JSON.stringify({ Endpoints: { docker: { Host: "tcp://remote:2376" } } }),
      [`${HOME}/.docker/contexts/tls/${ctxId("remote")}/docker/ca.pem`]: "x",
    };
    delete files[`${HOME}/.testcontainers.properties`];
    const remote = engineCandidates(host(files, { DOCKER_CONTEXT: "remote" }));
    expect(remote[0]).toEqual({
      source: "docker context 'remote'",
      uri: "tcp://remote:2376",
      configured: true,
      tlsCertPath: `${HOME}/.docker/contexts/tls/${ctxId("remote")}/docker`,
    });
    const dflt = engineCandidates(host(files, { DOCKER_CONTEXT: "default" }));
    expect(dflt[0].source).toBe("/var/run/docker.sock");
  });

  test("DOCKER_TLS_VERIFY takes the certificates from DOCKER_CERT_PATH, else ~/.docker", () => {
    expect(engineCandidates(host({}, { DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CERT_PATH: "/certs" }))[0].tlsCertPath).toBe("/certs");
    expect(engineCandidates(host({}, { DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1" }))[0].tlsCertPath).toBe(`${HOME}/.docker`);
    expect(engineCandidates(host({}, { DOCKER_HOST: "tcp://h:2375" }))[0].tlsCertPath).toBeUndefined();
  });

  test("a broken docker config or context is skipped, not fatal", () => {
    const c = engineCandidates(host({ [`${HOME}/.docker/config.json`]: "{not json", "/var/run/docker.sock": "" }));
    expect(c.map((x) => x.source)).toEqual(["/var/run/docker.sock"]);
  });

  test("Unix sockets are not looked for on Windows", () => {
    expect(engineCandidates(host(everything, {}, "win32")).map((x) => x.source)).toEqual([
      "tc.host in ~/.testcontainers.properties",
      "docker.host in ~/.testcontainers.properties",
      "docker context 'colima'",
      "Docker Desktop on Windows (named pipe)",
    ]);
    expect(engineCandidates(host({}, {}, "win32"))).toEqual([{ source: "Docker Desktop on Windows (named pipe)", uri: WINDOWS_PIPE_URI }]);
    expect(dockerodeOptions({ source: "x", uri: WINDOWS_PIPE_URI })).toEqual({ socketPath: "//./pipe/docker_engine", host: undefined });
  });

  test("TLS settings merge as testcontainers merges them: the properties file, each key overridden by the environment", () => {
    const props = { [`${HOME}/.testcontainers.properties`]: "docker.tls.verify=1\ndocker.cert.path=/props-certs\n" };
    expect(engineCandidates(host(props, { DOCKER_HOST: "tcp://h:2376" }))[0]).toMatchObject({ source: "DOCKER_HOST", tlsCertPath: "/props-certs" });
    expect(engineCandidates(host(props, { DOCKER_HOST: "tcp://h:2376", DOCKER_CERT_PATH: "/env-certs" }))[0].tlsCertPath).toBe("/env-certs");
    expect(engineCandidates(host(props, { DOCKER_HOST: "tcp://h:2375", DOCKER_TLS_VERIFY: "0" }))[0].tlsCertPath).toBeUndefined();
  });
});

describe("where the engine is", () => {
  const tcp = { source: "DOCKER_HOST", uri: "tcp://build-box:2375" };
  const sock = { source: "/var/run/docker.sock", uri: "unix:///var/run/docker.sock" };
  test("published ports: TESTCONTAINERS_HOST_OVERRIDE, else a TCP engine's host, else this machine", () => {
    expect(engineHost(tcp, {})).toBe("build-box");
    expect(engineHost(sock, {})).toBe("localhost");
    expect(engineHost({ source: "x", uri: "https://secure:2376" }, {})).toBe("secure");
    expect(engineHost(sock, { TESTCONTAINERS_HOST_OVERRIDE: "10.0.0.9" })).toBe("10.0.0.9");
    expect(engineHost(tcp, { TESTCONTAINERS_HOST_OVERRIDE: "10.0.0.9" })).toBe("10.0.0.9");
    // testcontainers never overrides tc.host (its own cloud / desktop endpoint).
    expect(engineHost({ source: "tc.host in ~/.testcontainers.properties", uri: "tcp://tc:2375" }, { TESTCONTAINERS_HOST_OVERRIDE: "10.0.0.9" })).toBe("tc");
  });
  test("local: a Unix socket or a Windows pipe (or nothing said); any TCP engine counts as remote, even at 127.0.0.1", () => {
    expect(engineIsLocal(undefined)).toBe(true);
    expect(engineIsLocal(sock.uri)).toBe(true);
    expect(engineIsLocal(WINDOWS_PIPE_URI)).toBe(true);
    expect(engineIsLocal("tcp://127.0.0.1:2375")).toBe(false);
    expect(engineIsLocal(tcp.uri)).toBe(false);
  });
  test("dockerode options: TCP with and without TLS", () => {
    expect(dockerodeOptions(tcp)).toEqual({ host: "build-box", port: "2375", protocol: "http" });
    expect(dockerodeOptions({ source: "x", uri: "tcp://h" })).toMatchObject({ port: 2375, protocol: "http" });
    expect(dockerodeOptions({ source: "x", uri: "ssh://me@h" })).toBeUndefined();
  });
});

test("parseProperties reads key=value, key: value and key value lines, skipping comments", () => {
  expect(parseProperties("# c\n! c\na=1\nb: two\nc three\n\n d.e = x=y \n")).toEqual({ a: "1", b: "two", c: "three", "d.e": "x=y" });
});
