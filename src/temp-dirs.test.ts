/**
 * Tests clean up their temporary directories: test/temp-dirs.ts removes what tempDirs() made
 * when the file (or block) is done, and no test file makes one with mkdtemp without removing it
 * (a unit run used to leave hundreds of pgchaos-* folders in the temporary directory).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../test/temp-dirs.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

let made = "";

describe("tempDirs()", () => {
  const tmp = tempDirs();
  it("makes a fresh directory under the temporary directory", () => {
    made = tmp("pgchaos-tempdirs-");
    expect(existsSync(made)).toBe(true);
    expect(path.basename(made)).toMatch(/^pgchaos-tempdirs-.{6}$/);
    expect(tmp("pgchaos-tempdirs-")).not.toBe(made);
  });
});

describe("after the block that made them", () => {
  it("they are gone", () => {
    expect(made).not.toBe("");
    expect(existsSync(made)).toBe(false);
  });
});

/** Every .ts file under `dir`, skipping node_modules and fixtures. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" || e.name === "fixtures" ? [] : tsFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

describe("test files", () => {
  it("make temporary directories with tempDirs(), or remove what mkdtemp made themselves", () => {
    const tests = [...tsFiles(path.join(ROOT, "src")).filter((f) => f.endsWith(".test.ts")), ...tsFiles(path.join(ROOT, "test"))];
    expect(tests.length).toBeGreaterThan(50);
    const leaky = tests
      .filter((f) => !f.endsWith(path.join("test", "temp-dirs.ts")))
      .filter((f) => {
        const text = readFileSync(f, "utf8");
        return /\bmkdtemp(Sync)?\(/.test(text) && !/\brm(Sync)?\(/.test(text);
      })
      .map((f) => path.relative(ROOT, f));
    expect(leaky).toEqual([]);
  });
});
