import { describe, expect, test } from "vitest";
import { fromEnv } from "./runtime-facts.js";

describe("engine facts passed on to spawned processes", () => {
  test("well-formed facts are taken as they are", () => {
    expect(fromEnv(JSON.stringify({ host: "localhost", remoteSocketPath: "/var/run/docker.sock" }))).toEqual({ host: "localhost", remoteSocketPath: "/var/run/docker.sock" });
  });
  test("anything else means asking testcontainers again", () => {
    for (const bad of [undefined, "", "not json", "{}", JSON.stringify({ host: "", remoteSocketPath: "/s" }), JSON.stringify({ host: "h", remoteSocketPath: 3 })]) {
      expect(fromEnv(bad)).toBeUndefined();
    }
  });
});
