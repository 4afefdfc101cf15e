import { describe, expect, test } from "vitest";
import { commandHelp, parseCommandArgs } from "../cli/command.js";
import exploreSpec from "../cli/specs/explore.js";
import { parseExploreOptions } from "./cli-options.js";

describe("pgchaos explore options", () => {
  test("defaults, and what each option gives", () => {
    expect(parseExploreOptions({})).toEqual({ stacks: [], maxSteps: 4, k: 3 });
    expect(
      parseExploreOptions({ stack: "bookworm,trixie", for: "8h", faults: "watch-stall,partition", actions: "none", "max-steps": "6", reruns: "5", shard: "2/3" }),
    ).toEqual({ stacks: ["bookworm", "trixie"], forMs: 8 * 3600_000, faults: ["partition", "watch-stall"], actions: [], maxSteps: 6, k: 5, shard: { index: 2, count: 3 } });
    expect(parseExploreOptions({ runs: "40" }).runs).toBe(40);
    expect(parseExploreOptions({ image: " mine:1 ", "shrink-runs": "8" })).toEqual({ stacks: [], maxSteps: 4, k: 3, image: "mine:1", shrinkRuns: 8 });
    expect(parseExploreOptions({ "shrink-runs": "0" }).shrinkRuns).toBe(0);
  });

  test("bad values are refused with what is allowed", () => {
    expect(() => parseExploreOptions({ runs: "5", for: "1h" })).toThrow(/exclude each other/);
    expect(() => parseExploreOptions({ for: "8 hours" })).toThrow(/--for: a duration is/);
    expect(() => parseExploreOptions({ runs: "0" })).toThrow(/--runs must be a whole number from 1/);
    expect(() => parseExploreOptions({ faults: "partiton" })).toThrow(/unknown kind 'partiton'; did you mean 'partition'\?/);
    expect(() => parseExploreOptions({ actions: "sql" })).toThrow(/--actions: sql is not explored \(free SQL text/);
    expect(() => parseExploreOptions({ faults: "partition,partition" })).toThrow(/given twice/);
    expect(() => parseExploreOptions({ faults: "none", actions: "none" })).toThrow(/nothing to explore/);
    expect(() => parseExploreOptions({ stack: "woody" })).toThrow();
    expect(() => parseExploreOptions({ shard: "3/2" })).toThrow(/--shard/);
    expect(() => parseExploreOptions({ "max-steps": "51" })).toThrow(/--max-steps/);
    expect(() => parseExploreOptions({ image: "mine:1", stack: "bookworm" })).toThrow(/--stack and --image exclude each other/);
    expect(() => parseExploreOptions({ image: " " })).toThrow(/--image needs/);
    expect(() => parseExploreOptions({ "shrink-runs": "-1" })).toThrow(/--shrink-runs must be a whole number from 0/);
  });

  test("the command parses its arguments and documents every option", () => {
    const p = parseCommandArgs(exploreSpec, ["base.yaml", "-j", "2", "--seed", "7", "--for", "30m", "--out", "x"]);
    expect(p).toMatchObject({ help: false, positionals: ["base.yaml"], values: { jobs: "2", seed: "7", for: "30m", out: "x" } });
    const help = commandHelp(exploreSpec);
    for (const o of Object.keys(exploreSpec.options)) expect(help).toContain(`--${o}`);
    expect(() => parseCommandArgs(exploreSpec, ["--fault", "partition"])).toThrow(/did you mean '--faults'/);
  });
});
