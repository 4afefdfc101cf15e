import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findScenarioFiles, validateCommand } from "../cli/commands/validate.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

let dir: string;
const VALID = (name: string) => `name: ${name}\ndescription: d\nsteps:\n  - sleep: 1s\n`;

beforeAll(async () => {
  dir = tmp("pgchaos-validate-");
  await mkdir(path.join(dir, "nested", "deeper"), { recursive: true });
  await mkdir(path.join(dir, ".hidden"));
  await writeFile(path.join(dir, "b.yaml"), VALID("b"));
  await writeFile(path.join(dir, "a.yml"), VALID("a"));
  await writeFile(path.join(dir, "notes.txt"), "not a scenario");
  await writeFile(path.join(dir, "nested", "c.yaml"), VALID("c"));
  await writeFile(path.join(dir, "nested", "deeper", "bad.yaml"), "name: bad\ndescription: d\nsteps:\n  - sleep: soon\n");
  await writeFile(path.join(dir, ".hidden", "h.yaml"), VALID("h"));
});

function capture() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: { stdout: (s: string) => stdout.push(s), stderr: (s: string) => stderr.push(s) }, stdout, stderr };
}

describe("findScenarioFiles", () => {
  it("walks directories recursively for *.yaml / *.yml, sorted, skipping dot-directories", async () => {
    const files = await findScenarioFiles([dir]);
    expect(files.map((f) => path.relative(dir, f))).toEqual(["a.yml", "b.yaml", path.join("nested", "c.yaml"), path.join("nested", "deeper", "bad.yaml")]);
  });

  it("keeps argument order, takes files as given and lists a file once", async () => {
    const c = path.join(dir, "nested", "c.yaml");
    const txt = path.join(dir, "notes.txt");
    const files = await findScenarioFiles([c, txt, path.join(dir, "nested"), c]);
    expect(files).toEqual([c, txt, path.join(dir, "nested", "deeper", "bad.yaml")]);
  });

  it("a path that does not exist is an error", async () => {
    await expect(findScenarioFiles([path.join(dir, "missing.yaml")])).rejects.toThrow(`${path.join(dir, "missing.yaml")}: no such file or directory`);
  });
});

describe("validateCommand", () => {
  it("prints ok for valid files and returns 0", async () => {
    const { out, stdout, stderr } = capture();
    const code = await validateCommand([path.join(dir, "a.yml"), path.join(dir, "b.yaml")], out);
    expect(code).toBe(0);
    expect(stdout).toEqual([`ok  ${path.join(dir, "a.yml")}`, `ok  ${path.join(dir, "b.yaml")}`, "2 files: 2 ok, 0 invalid"]);
    expect(stderr).toEqual([]);
  });

  it("prints the errors of invalid files and returns 2", async () => {
    const { out, stdout, stderr } = capture();
    const code = await validateCommand([dir], out);
    expect(code).toBe(2);
    const bad = path.join(dir, "nested", "deeper", "bad.yaml");
    expect(stderr).toEqual([
      `${bad}:4:12: steps[0].sleep: invalid duration 'soon': a duration is a number with a unit ms, s, m or h (500ms, 2s, 1.5s, 2m, 1h), or a bare number of seconds`,
    ]);
    expect(stdout).toEqual([
      `ok  ${path.join(dir, "a.yml")}`,
      `ok  ${path.join(dir, "b.yaml")}`,
      `ok  ${path.join(dir, "nested", "c.yaml")}`,
      "4 files: 3 ok, 1 invalid",
    ]);
  });

  it("returns 2 for a path that does not exist, and still validates the others", async () => {
    const { out, stdout, stderr } = capture();
    const code = await validateCommand([path.join(dir, "nope"), path.join(dir, "a.yml")], out);
    expect(code).toBe(2);
    expect(stderr).toEqual([`${path.join(dir, "nope")}: no such file or directory`]);
    expect(stdout).toEqual([`ok  ${path.join(dir, "a.yml")}`]);
  });

  it("reports two scenarios with the same name", async () => {
    const other = tmp("pgchaos-validate-dup-");
    await writeFile(path.join(other, "x.yaml"), "# a comment\nname:   a\ndescription: d\nsteps:\n  - sleep: 1s\n");
    const { out, stderr } = capture();
    const code = await validateCommand([path.join(dir, "a.yml"), path.join(other, "x.yaml")], out);
    expect(code).toBe(2);
    expect(stderr).toEqual([
      `${path.join(other, "x.yaml")}:2:9: name: scenario name 'a' is also used by ${path.join(dir, "a.yml")}; names must be unique (reports are stored by name)`,
    ]);
  });

  it("a directory without scenario files is an error", async () => {
    const empty = tmp("pgchaos-empty-");
    const { out, stderr } = capture();
    expect(await validateCommand([empty], out)).toBe(2);
    expect(stderr).toEqual([`no scenario files (*.yaml, *.yml) in ${empty}`]);
  });
});

describe("validate --stack with several stacks", () => {
  it("rejects a scenario no given stack can run; notes the stacks one cannot run on", async () => {
    const { stackByName } = await import("../stacks/stacks.js");
    const d = tmp("pgchaos-validate-stack-");
    const file = path.join(d, "hp.yaml");
    await writeFile(file, "name: hp\ndescription: d\ntopology: { haproxy: true }\nsteps:\n  - sleep: 1s\n");
    const both = capture();
    expect(await validateCommand([file], both.out, { stacks: [stackByName("bookworm"), stackByName("sid")] })).toBe(0);
    expect(both.stdout[0]).toBe(`ok  ${file}`);
    expect(both.stdout[1]).toMatch(/^ {4}note: not on stack sid: .*hp\.yaml:3:\d+: topology\.haproxy: stack sid has no HAProxy/);
    const sidOnly = capture();
    expect(await validateCommand([file], sidOnly.out, { stacks: [stackByName("sid")] })).toBe(2);
    expect(sidOnly.stderr[0]).toMatch(/hp\.yaml:3:\d+: topology\.haproxy: stack sid has no HAProxy/);
  });
});
