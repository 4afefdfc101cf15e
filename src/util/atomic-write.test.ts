import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeFileAtomicSync } from "./atomic-write.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tempDir = tempDirs();
const tmp = () => tempDir("pgchaos-atomic-");

describe("writeFileAtomic", () => {
  it("writes, replaces, and leaves no temporary file", async () => {
    const dir = tmp();
    const p = join(dir, "report.json");
    await writeFileAtomic(p, "one");
    await writeFileAtomic(p, new TextEncoder().encode("two"));
    writeFileAtomicSync(join(dir, "b.txt"), "sync");
    expect(readFileSync(p, "utf8")).toBe("two");
    expect(readFileSync(join(dir, "b.txt"), "utf8")).toBe("sync");
    expect(readdirSync(dir).sort()).toEqual(["b.txt", "report.json"]);
  });

  it("keeps the old content and cleans up when the rename fails", async () => {
    const dir = tmp();
    const target = join(dir, "sub");
    writeFileSync(join(dir, "keep"), "old");
    // Renaming a file over a non-empty directory fails: the tmp file must go away.
    const { mkdirSync } = await import("node:fs");
    mkdirSync(target);
    writeFileSync(join(target, "x"), "");
    await expect(writeFileAtomic(target, "new")).rejects.toThrow();
    expect(() => writeFileAtomicSync(target, "new")).toThrow();
    expect(readdirSync(dir).sort()).toEqual(["keep", "sub"]);
  });

  it("concurrent writers: the file holds one complete version, no temporary file remains", async () => {
    const dir = tmp();
    const p = join(dir, "f");
    const versions = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(5000));
    await Promise.all(versions.map((v) => writeFileAtomic(p, v)));
    expect(versions).toContain(readFileSync(p, "utf8"));
    expect(readdirSync(dir)).toEqual(["f"]);
  });
});
