import { describe, expect, it } from "vitest";
import { compressRanges, firstAtOrAfter, lastAtOrBefore, median } from "./util.js";

describe("checker utils", () => {
  it("compresses seqs into ranges", () => {
    expect(compressRanges([140, 120, 121, 122, 135, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 121])).toBe("120-135,140");
    expect(compressRanges([])).toBe("");
    expect(compressRanges([5])).toBe("5");
    expect(compressRanges([1, 3, 4, 6])).toBe("1,3-4,6");
  });
  it("computes medians and binary searches", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    const a = [1, 3, 3, 7];
    expect(lastAtOrBefore(a, 3, (x) => x)).toBe(2);
    expect(lastAtOrBefore(a, 0, (x) => x)).toBe(-1);
    expect(firstAtOrAfter(a, 3, (x) => x)).toBe(1);
    expect(firstAtOrAfter(a, 8, (x) => x)).toBe(4);
  });
});
