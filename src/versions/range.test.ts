import { describe, expect, it } from "vitest";
import { comparableVersion, rangeError, satisfies, unmetRequirements } from "./range.js";

describe("version ranges", () => {
  it("makes the versions the binaries print comparable", () => {
    expect(comparableVersion("17.12 (Debian 17.12-0+deb13u1)")).toBe("17.12.0");
    expect(comparableVersion("3.0.2")).toBe("3.0.2");
    expect(comparableVersion("3.5.16")).toBe("3.5.16");
    expect(comparableVersion("")).toBeUndefined();
    expect(comparableVersion("unknown")).toBeUndefined();
  });

  it("accepts semver ranges and says why a range does not parse", () => {
    expect(rangeError(">=4.0")).toBeUndefined();
    expect(rangeError(">=3.0 <4")).toBeUndefined();
    expect(rangeError("3.0.x")).toBeUndefined();
    expect(rangeError(">=four")).toBe(`'>=four' is not a version range (examples: ">=4.0", "3.0.x", ">=3.0 <4")`);
    expect(rangeError("  ")).toBe("an empty version range");
  });

  it("checks a version against a range; an unknown version never satisfies", () => {
    expect(satisfies("4.0.7", ">=4.0")).toBe(true);
    expect(satisfies("3.0.2", ">=4.0")).toBe(false);
    expect(satisfies("17.12 (Debian 17.12-0+deb13u1)", ">=16")).toBe(true);
    expect(satisfies(undefined, "*")).toBe(false);
  });

  it("says which requirement a lab does not meet, naming both sides", () => {
    const trixie = { patroni: "4.0.7", postgresql: "17.12 (Debian 17.12-0+deb13u1)", etcd: "3.5.16" };
    expect(unmetRequirements(undefined, trixie)).toBeUndefined();
    expect(unmetRequirements({ patroni: ">=4.0", postgres: ">=17", etcd: "3.5.x" }, trixie)).toBeUndefined();
    expect(unmetRequirements({ patroni: "<4", etcd: "3.4.x" }, trixie)).toBe(
      "requires patroni <4; this lab runs patroni 4.0.7; requires etcd 3.4.x; this lab runs etcd 3.5.16",
    );
    expect(unmetRequirements({ postgres: ">=16" }, { patroni: "3.0.2" })).toBe("requires postgres >=16; this lab runs postgres (unknown version)");
  });
});
