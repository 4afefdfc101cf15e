import { describe, expect, it } from "vitest";
import { derivedRandom, parseSeed, seededRandom } from "./random.js";

describe("seeded random", () => {
  const draw = (r: () => number, n = 20) => Array.from({ length: n }, r);
  it("the same seed gives the same choices; another seed others", () => {
    expect(draw(seededRandom(42))).toEqual(draw(seededRandom(42)));
    expect(draw(seededRandom(42))).not.toEqual(draw(seededRandom(43)));
    expect(draw(derivedRandom(7, "dcs-proxy"))).toEqual(draw(derivedRandom(7, "dcs-proxy")));
    expect(draw(derivedRandom(7, "dcs-proxy"))).not.toEqual(draw(derivedRandom(7, "other")));
  });
  it("numbers lie in [0, 1) and spread", () => {
    const xs = draw(seededRandom(1), 10_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
  it("--seed: a whole number, or a clear error", () => {
    expect(parseSeed("12345")).toBe(12345);
    expect(() => parseSeed("abc")).toThrow(/--seed must be a whole number from 0 to 4294967295, not 'abc'/);
    expect(() => parseSeed("4294967296")).toThrow(/--seed/);
    const s = parseSeed(undefined);
    expect(Number.isInteger(s) && s >= 0).toBe(true);
  });
});
