import { describe, expect, test } from "vitest";
import { commandHelp, defineCommand, parseCommandArgs } from "./command.js";
import { COMMANDS } from "./specs/index.js";

const sample = defineCommand({
  name: "sample",
  summary: "A command for tests.",
  args: { usage: "[PATHS...]" },
  options: {
    reports: { type: "string", value: "DIR", default: "reports", help: "where reports go" },
    tag: { type: "string", value: "T", multiple: true, help: "a tag" },
    lab: { type: "string", value: "RUN_ID", optionalValue: true, help: "a lab" },
    force: { type: "boolean", help: "force it" },
  },
  run: async () => 0,
});

describe("every command's --help", () => {
  test.each(COMMANDS.map((c) => [c.name, c] as const))("%s: --help and -h ask for help, and the help names every option", (_n, spec) => {
    expect(parseCommandArgs(spec, ["--help"])).toEqual({ help: true });
    expect(parseCommandArgs(spec, ["-h"])).toEqual({ help: true });
    const help = commandHelp(spec);
    expect(help).toContain(`Usage: pgchaos ${spec.name}`);
    expect(help).toContain(spec.summary);
    for (const name of Object.keys(spec.options)) expect(help).toMatch(new RegExp(`--${name}\\b`));
  });

  test("command names are unique and every option has help", () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) for (const o of Object.values(c.options)) expect(o.help.length).toBeGreaterThan(3);
  });
});

describe("parsing a command's arguments", () => {
  test("defaults, repeatable options and positionals", () => {
    expect(parseCommandArgs(sample, ["a.yaml", "--tag", "x", "--tag=y", "b"])).toEqual({
      help: false,
      values: { reports: "reports", tag: ["x", "y"], force: false },
      positionals: ["a.yaml", "b"],
    });
  });

  test("an option that may stand alone takes '' and leaves the next option alone", () => {
    const p = parseCommandArgs(sample, ["--lab", "--force"]);
    expect(p.help === false && p.values).toMatchObject({ lab: "", force: true });
    const q = parseCommandArgs(sample, ["--lab", "r1"]);
    expect(q.help === false && q.values.lab).toBe("r1");
  });

  test("an unknown option names the command's options and guesses the intended one", () => {
    expect(() => parseCommandArgs(sample, ["--reprots", "x"])).toThrow(
      "sample: unknown option '--reprots'; did you mean '--reports'? Options of sample: --reports DIR, --tag T, --lab [RUN_ID], --force, --help",
    );
    expect(() => parseCommandArgs(sample, ["-x"])).toThrow(/unknown option '-x' Options of sample:/);
  });

  test("a missing value and a value given to a switch are clear errors", () => {
    expect(() => parseCommandArgs(sample, ["--reports"])).toThrow("sample: --reports needs a value (--reports DIR)");
    expect(() => parseCommandArgs(sample, ["--force=yes"])).toThrow("sample: --force is a switch and takes no value (got '--force=yes')");
  });

  test("arguments to a command that takes none, and too few arguments, are errors", () => {
    const none = defineCommand({ name: "none", summary: "s", options: {}, run: async () => 0 });
    expect(() => parseCommandArgs(none, ["x"])).toThrow("none takes no arguments, got 'x'");
    const some = defineCommand({ name: "some", summary: "s", args: { usage: "PATHS...", min: 1 }, options: {}, run: async () => 0 });
    expect(() => parseCommandArgs(some, [])).toThrow("some: give PATHS...");
  });

  test("after --, --help is an argument", () => {
    expect(parseCommandArgs(sample, ["--", "--help"])).toEqual({ help: false, values: { reports: "reports", tag: [], force: false }, positionals: ["--help"] });
  });

  test("help shows placeholders, defaults and repeatable options", () => {
    const h = commandHelp(sample);
    expect(h).toContain("Usage: pgchaos sample [options] [PATHS...]");
    expect(h).toMatch(/--reports DIR +where reports go \(default: reports\)/);
    expect(h).toMatch(/--tag T +a tag \(repeatable\)/);
    expect(h).toMatch(/-h, --help +show this help/);
  });
});
