import { describe, expect, it } from "vitest";
import { parseShard, selectShard, shardOf } from "./shard.js";

const names = Array.from({ length: 18 }, (_, i) => `scenario-${i}`);

describe("shard", () => {
  it("splits every item into exactly one of N shares, the same way every time and in any input order", () => {
    const shares = [1, 2, 3].map((i) => selectShard(names, { index: i, count: 3 }, (n) => n));
    expect(shares.flat().sort()).toEqual([...names].sort());
    expect(new Set(shares.flat()).size).toBe(names.length);
    expect(selectShard([...names].reverse(), { index: 2, count: 3 }, (n) => n).sort()).toEqual([...shares[1]].sort());
  });

  it("a single shard runs everything", () => {
    expect(selectShard(names, { index: 1, count: 1 }, (n) => n)).toEqual(names);
  });

  it("adding one scenario to 18 moves at most ceil(18/N) of the others (rendezvous hashing moves none)", () => {
    for (const count of [2, 3, 4, 6]) {
      for (const added of ["new-scenario", "etcd-something-else", "zzz"]) {
        const before = new Map(names.map((n) => [n, shardOf(n, count)]));
        const after = [...names, added];
        const moved = names.filter((n) => !selectShard(after, { index: before.get(n)!, count }, (x) => x).includes(n));
        expect(moved.length).toBeLessThanOrEqual(Math.ceil(18 / count));
        expect(moved).toEqual([]);
      }
    }
  });

  it("growing from N to N+1 shards moves only items that land on the new shard (about 1/(N+1) of them)", () => {
    const many = Array.from({ length: 600 }, (_, i) => `s-${i}`);
    const moved = many.filter((n) => shardOf(n, 3) !== shardOf(n, 4));
    expect(moved.every((n) => shardOf(n, 4) === 4)).toBe(true);
    expect(moved.length).toBeGreaterThan(600 / 4 - 50);
    expect(moved.length).toBeLessThan(600 / 4 + 50);
  });

  it("balances shares on average", () => {
    const many = Array.from({ length: 900 }, (_, i) => `s-${i}`);
    for (let i = 1; i <= 3; i++) {
      const n = selectShard(many, { index: i, count: 3 }, (x) => x).length;
      expect(n).toBeGreaterThan(250);
      expect(n).toBeLessThan(350);
    }
  });

  it("parses I/N and rejects nonsense with a sentence", () => {
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    for (const bad of ["0/3", "4/3", "a/b", "1", "1/0"]) expect(() => parseShard(bad)).toThrow(/--shard must look like I\/N/);
  });
});
