import { describe, expect, it } from "vitest";
import { gameDayExitCode } from "./exit-code.js";

describe("gameDayExitCode", () => {
  const runs = (...o: ("pass" | "fail" | "error" | "known")[]) => o.map((outcome) => ({ outcome }));
  it("0 when every failure is known, 1 on an unexpected failure", () => {
    expect(gameDayExitCode(runs("pass", "known", "known"))).toBe(0);
    expect(gameDayExitCode(runs("pass", "known", "fail"))).toBe(1);
    expect(gameDayExitCode(runs("pass"))).toBe(0);
  });
  it("--strict treats known as a failure", () => {
    expect(gameDayExitCode(runs("pass", "known"), { strict: true })).toBe(1);
    expect(gameDayExitCode(runs("pass"), { strict: true })).toBe(0);
  });
  it("2 on an infrastructure error, 130 when interrupted", () => {
    expect(gameDayExitCode(runs("fail", "error"))).toBe(2);
    expect(gameDayExitCode(runs("pass"), { interrupted: true })).toBe(130);
  });
});
