import { describe, expect, it } from "vitest";
import { UnitError, formatDuration, formatSize, parseDuration, parseSize } from "./units.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["1.5s", 1500],
    ["2m", 120_000],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    [".5s", 500],
    ["30", 30_000],
    [30, 30_000],
    [0.25, 250],
    [0, 0],
    ["0s", 0],
  ] as const)("%j -> %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it("accepts signs only where a signed duration is allowed", () => {
    expect(parseDuration("-40s", { signed: true })).toBe(-40_000);
    expect(parseDuration("+1.5s", { signed: true })).toBe(1500);
    expect(parseDuration(-40, { signed: true })).toBe(-40_000);
    expect(parseDuration("-0s", { signed: true })).toBe(0);
    expect(Object.is(parseDuration("-0s", { signed: true }), -0)).toBe(false);
    expect(() => parseDuration("-40s")).toThrow(/signed duration is not allowed here/);
    expect(() => parseDuration(-1)).toThrow("invalid duration -1: must not be negative");
  });

  it.each(["5 sec", "s", "", "1.5.2s", "2d", "1m30s", "++3s"])("rejects %j with help", (input) => {
    expect(() => parseDuration(input, { signed: true })).toThrow(UnitError);
    expect(() => parseDuration(input, { signed: true })).toThrow(/unit ms, s, m or h/);
  });

  it("rounds to whole milliseconds", () => {
    expect(parseDuration("1.0004s")).toBe(1000);
    expect(parseDuration("0.0006s")).toBe(1);
  });
});

describe("parseSize (1 MB = 1048576 bytes, as PostgreSQL and Patroni)", () => {
  it.each([
    ["1MB", 1_048_576],
    ["1 MB", 1_048_576],
    ["512kB", 524_288],
    ["512KB", 524_288],
    ["16MiB", 16_777_216],
    ["1GB", 1_073_741_824],
    ["1TiB", 1_099_511_627_776],
    ["1.5kB", 1536],
    ["250B", 250],
    ["1048576", 1_048_576],
    [0, 0],
    [1_048_576, 1_048_576],
  ] as const)("%j -> %d bytes", (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  it.each([["1mb"], ["1M"], ["-1MB"], ["1.5"], [1.5], [-1], ["lots"]] as const)("rejects %j", (input) => {
    expect(() => parseSize(input)).toThrow(UnitError);
  });

  it("explains the unit convention in the error", () => {
    expect(() => parseSize("1 mb")).toThrow("invalid size '1 mb': a size is an integer number of bytes or a number with a unit B, kB, MB, GB, TB (1 MB = 1048576 bytes, as in PostgreSQL) or KiB, MiB, GiB, TiB");
  });
});

describe("formatting", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [1500, "1.5s"],
    [30_000, "30s"],
    [120_000, "2m"],
    [150_000, "150s"],
    [5_400_000, "90m"],
    [3_600_000, "1h"],
    [-40_000, "-40s"],
  ])("formatDuration(%d) = %s", (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });

  it.each([
    [0, "0B"],
    [512, "512B"],
    [16_384, "16kB"],
    [1_048_576, "1MB"],
    [1_610_612_736, "1.5GB"],
  ])("formatSize(%d) = %s", (b, s) => {
    expect(formatSize(b)).toBe(s);
  });

  it("round-trips", () => {
    for (const ms of [500, 1500, 30_000, 150_000, 3_600_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
