import { describe, expect, it } from "vitest";
import { formatDuration, formatT } from "./time.js";

describe("time formatters", () => {
  it("formats history times and durations", () => {
    expect(formatT(12345)).toBe("+12.3s");
    expect(formatT(0)).toBe("+0.0s");
    expect(formatT(40)).toBe("+0.0s");
    expect(formatT(-40)).toBe("+0.0s");
    expect(formatT(-1500)).toBe("-1.5s");
    expect(formatT(99960)).toBe("+100.0s");
    expect(formatDuration(2530)).toBe("2.5 s");
  });
});
