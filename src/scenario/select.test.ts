import { describe, expect, test } from "vitest";
import { grepPattern, selectScenarios } from "./select.js";

const items = [
  { name: "etcd-quorum-loss", tags: ["etcd", "failsafe"] },
  { name: "switchover-basic", tags: ["switchover"] },
  { name: "etcd-member-pause", tags: ["etcd"] },
];
const pick = (sel: Parameters<typeof selectScenarios>[1]) => selectScenarios(items, sel, (i) => i).map((i) => i.name);

describe("selecting scenarios", () => {
  test("no selection keeps everything in order", () => {
    expect(pick({})).toEqual(["etcd-quorum-loss", "switchover-basic", "etcd-member-pause"]);
  });
  test("--tag: any of the given tags", () => {
    expect(pick({ tags: ["failsafe"] })).toEqual(["etcd-quorum-loss"]);
    expect(pick({ tags: ["failsafe", "switchover"] })).toEqual(["etcd-quorum-loss", "switchover-basic"]);
  });
  test("--grep on the name, and with --tag both must hold", () => {
    expect(pick({ grep: "^etcd-" })).toEqual(["etcd-quorum-loss", "etcd-member-pause"]);
    expect(pick({ grep: "pause|switch", tags: ["etcd"] })).toEqual(["etcd-member-pause"]);
  });
  test("nothing matching is an error listing the tags in use", () => {
    expect(() => pick({ tags: ["nope"] })).toThrow("no scenario matches --tag nope (of 3; tags in use: etcd, failsafe, switchover)");
  });
  test("a bad regular expression is a clear error", () => {
    expect(() => grepPattern("etcd(")).toThrow(/^--grep: 'etcd\(' is not a valid regular expression \(.*Unterminated group\)$/);
    expect(grepPattern(undefined)).toBeUndefined();
  });
});
