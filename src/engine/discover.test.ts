import { createHash } from "node:crypto";
import { describe, expect, test } from "vitest";
import { engineCandidates, parseProperties, type DiscoveryHost } from "./discover.js";

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
    ]);
  });
});

test("parseProperties reads key=value, key: value and key value lines, skipping comments", () => {
  expect(parseProperties("# c\n! c\na=1\nb: two\nc three\n\n d.e = x=y \n")).toEqual({ a: "1", b: "two", c: "three", "d.e": "x=y" });
});
