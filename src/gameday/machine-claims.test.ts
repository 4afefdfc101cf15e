import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { existsSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { MachineClaims } from "./machine-claims.js";
import { AutoJobs, LAB_NEEDS, TARGET_BUSY_SHARE } from "./jobs.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();
const need = { cores: 0.25, memMiB: 900 };

/** Another pgchaos session in a process of its own: it claims `labs` labs and holds them until killed. */
async function otherSession(dir: string, labs: number) {
  const script = path.join(dir, `other-${labs}.ts`);
  await writeFile(
    script,
    `import { MachineClaims } from ${JSON.stringify(path.resolve("src/gameday/machine-claims.ts"))};\n` +
      `new MachineClaims(${JSON.stringify(dir)}, "other").set(${labs}, ${JSON.stringify(need)});\nsetInterval(() => {}, 1000);\n`,
  );
  const child = execa(path.resolve("node_modules/.bin/vite-node"), [script], { reject: false, stdio: "ignore" });
  let ended = false;
  void child.then(() => (ended = true));
  // Its claim file is there once it has claimed.
  while (!existsSync(path.join(dir, "other.json"))) {
    if (ended) throw new Error("the other session ended before it claimed");
    await new Promise((r) => setTimeout(r, 20));
  }
  // (wrapped: an async function returning the child, a promise itself, would wait for its end)
  return { stop: async () => void (child.kill("SIGKILL"), await child) };
}

describe("machine claims: two pgchaos sessions on one machine share it", () => {
  it("a session sees the labs another live process claims, never its own, and forgets a process that is gone", async () => {
    const dir = await tmp("pgchaos-claims-");
    const mine = new MachineClaims(dir, "mine");
    mine.set(2, need);
    expect(mine.others()).toEqual({ labs: 0, cores: 0, memMiB: 0 });
    const other = await otherSession(dir, 3);
    try {
      expect(mine.others()).toEqual({ labs: 3, cores: 0.75, memMiB: 2700 });
    } finally {
      await other.stop();
    }
    // Killed without a word: its claim no longer counts, and its file is removed.
    expect(mine.others()).toEqual({ labs: 0, cores: 0, memMiB: 0 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".json"))).toEqual(["mine.json"]);
    mine.release();
    expect(existsSync(path.join(dir, "mine.json"))).toBe(false);
  });

  it("a claim left by a pid the kernel gave to another process does not count", async () => {
    const dir = await tmp("pgchaos-claims-");
    // This very process's pid, with a start time it never had.
    await writeFile(path.join(dir, "old.json"), JSON.stringify({ pid: process.pid, pidStart: "1", labs: 4, cores: 1, memMiB: 3600 }));
    await writeFile(path.join(dir, "garbage.json"), "{");
    expect(new MachineClaims(dir, "mine").others().labs).toBe(0);
  });

  it("the default -j leaves room for another session's labs, and takes it back as they end", async () => {
    const dir = await tmp("pgchaos-claims-");
    const machine = { cores: 2, freeMiB: 64_000, otherBusyCores: 0 };
    const alone = Math.floor((2 * TARGET_BUSY_SHARE) / LAB_NEEDS.cpuCores);
    const other = await otherSession(dir, 4);
    try {
      // Started while the other claims 4 labs that the 500 ms sample did not see busy yet.
      const a = new AutoJobs(machine, new MachineClaims(dir, "mine"));
      expect(a.othersAtStart.labs).toBe(4);
      expect(a.current()).toBe(Math.floor(((2 - 4 * need.cores) * TARGET_BUSY_SHARE) / LAB_NEEDS.cpuCores));
      expect(a.current()).toBeLessThan(alone);
    } finally {
      await other.stop();
    }
    // A session that started alone sees another start later, and gives way.
    const b = new AutoJobs(machine, new MachineClaims(dir, "mine"));
    expect(b.current()).toBe(alone);
    const later = await otherSession(dir, 6);
    try {
      expect(b.current()).toBe(Math.max(1, Math.floor(((2 - 6 * need.cores) * TARGET_BUSY_SHARE) / LAB_NEEDS.cpuCores)));
    } finally {
      await later.stop();
    }
    expect(b.current()).toBe(alone);
  });
});
