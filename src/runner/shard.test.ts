import { describe, expect, it } from "vitest";
import { parseShard, selectShard } from "./shard.js";

const names = Array.from({ length: 17 }, (_, i) => `scenario-${i}`);

describe("shard", () => {
  it("splits every item into exactly one of N shares, the same way every time", () => {
    const shares = [1, 2, 3].map((i) => selectShard(names, { index: i, count: 3 }, (n) => n));
    expect(shares.flat().sort()).toEqual([...names].sort());
    expect(new Set(shares.flat()).size).toBe(names.length);
    expect(shares.map((s) => s.length).sort()).toEqual([5, 6, 6]);
    expect(selectShard([...names].reverse(), { index: 2, count: 3 }, (n) => n)).toEqual(shares[1]);
  });

  it("a single shard runs everything", () => {
    expect(selectShard(names, { index: 1, count: 1 }, (n) => n).sort()).toEqual([...names].sort());
  });

  it("parses I/N and rejects nonsense with a sentence", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["0/3", "4/3", "a/b", "1", "1/0"]) expect(() => parseShard(bad)).toThrow(/--shard must look like I\/N/);
  });
});
