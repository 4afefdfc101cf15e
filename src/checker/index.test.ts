import { describe, expect, it } from "vitest";
import { INVARIANT_NAMES } from "../scenario/schema.js";
import { splitBrain } from "../../test/fixtures/histories/scenarios.js";
import { checkerNames, checkers } from "./index.js";

describe("checker registry", () => {
  it("has a checker for every invariant a scenario may name, and names them alike", () => {
    expect([...checkerNames].sort()).toEqual([...INVARIANT_NAMES].sort());
    for (const name of checkerNames) {
      const c = checkers[name]();
      expect(c.name).toBe(name);
      expect(c.check(splitBrain().events).checker).toBe(name);
    }
  });

  it("passes options through the factory", () => {
    const events = splitBrain().events;
    expect(checkers["write-availability"]().check(events).ok).toBe(true);
    expect(checkers["write-availability"]({ maxUnavailableMs: 5000 }).check(events).ok).toBe(false);
  });
});
