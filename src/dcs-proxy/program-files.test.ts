import { describe, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { execa } from "execa";
import { PROGRAM_DIR, PROGRAM_ENTRY, proxyProgramFiles, tarOf } from "./program-files.js";
import type { ControlLine } from "./types.js";

describe("the DCS proxy program shipped into its container", () => {
  test("is the entry and every module it imports at run time, compiled, as ES modules; no type-only module", async () => {
    const files = await proxyProgramFiles();
    const names = [...files.keys()].sort();
    expect(names).toEqual(
      expect.arrayContaining(["package.json", PROGRAM_ENTRY, "dcs-proxy/proxy.js", "dcs-proxy/watch-messages.js", "dcs-proxy/leader-view.js", "dcs-proxy/request-kind.js", "dcs-proxy/types.js", "util/time.js", "util/random.js"]),
    );
    expect(names.some((n) => n.startsWith("history/") || n.startsWith("lab/") || n.endsWith(".ts"))).toBe(false);
    expect(JSON.parse(files.get("package.json")!)).toMatchObject({ type: "module" });
    expect(files.get(PROGRAM_ENTRY)).not.toMatch(/:\s*ProgramConfig\b/);
  }, 60_000);

  test("the archive unpacks with tar into the same files", async () => {
    const files = await proxyProgramFiles();
    const dir = await mkdtemp(path.join(tmpdir(), "pgchaos-program-"));
    try {
      await execa("tar", ["-xf", "-", "-C", dir], { input: await tarOf(files, PROGRAM_DIR.slice(1)) });
      for (const [rel, text] of files) expect(await readFile(path.join(dir, PROGRAM_DIR, rel), "utf8")).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  test("runs under Node: reports its routes, answers control calls and notices on stdout, exits when stdin ends", async () => {
    const files = await proxyProgramFiles();
    const dir = await mkdtemp(path.join(tmpdir(), "pgchaos-program-"));
    try {
      await execa("tar", ["-xf", "-", "-C", dir], { input: await tarOf(files, "p") });
      const cfg = { nodes: ["pg1", "pg2"], members: ["e1"], leaderKey: "/service/x/leader", upstreamPort: 2379, seed: 7 };
      const child = spawn(process.execPath, [path.join(dir, "p", PROGRAM_ENTRY), JSON.stringify(cfg)], { stdio: ["pipe", "pipe", "inherit"] });
      const lines: ControlLine[] = [];
      const waiters: (() => void)[] = [];
      createInterface({ input: child.stdout }).on("line", (l) => {
        lines.push(JSON.parse(l) as ControlLine);
        waiters.splice(0).forEach((w) => w());
      });
      const next = async (pred: (l: ControlLine) => boolean) => {
        for (;;) {
          const found = lines.find(pred);
          if (found) return found;
          await new Promise<void>((r) => waiters.push(r));
        }
      };
      const ready = (await next((l) => "ready" in l)) as { ready: { routes: { node: string; member: string; port: number }[] } };
      expect(ready.ready.routes.map((r) => `${r.node}>${r.member}`)).toEqual(["pg1>e1", "pg2>e1"]);
      expect(ready.ready.routes.every((r) => r.port > 0)).toBe(true);

      const send = (id: number, call: string, ...args: unknown[]) => child.stdin.write(`${JSON.stringify({ id, call, args })}\n`);
      send(1, "addToxic", "pg1", { latencyMs: 10, kinds: ["range"] });
      expect(await next((l) => "id" in l && l.id === 1)).toEqual({ id: 1, result: "t1" });
      expect(await next((l) => "notice" in l)).toMatchObject({ notice: { node: "pg1", action: "toxic-on" } });
      send(2, "stallWatch", "pg2");
      send(3, "isStalled", "pg2");
      expect(await next((l) => "id" in l && l.id === 3)).toEqual({ id: 3, result: true });
      send(4, "releaseWatch", "pg2", "drop");
      expect(await next((l) => "id" in l && l.id === 4)).toMatchObject({ id: 4, result: { node: "pg2", mode: "drop", streams: 0 } });
      send(5, "leaderView", "pg1");
      expect(await next((l) => "id" in l && l.id === 5)).toEqual({ id: 5 });
      send(6, "stallWatch", "pg9");
      expect(await next((l) => "id" in l && l.id === 6)).toMatchObject({ id: 6, error: expect.stringMatching(/unknown node 'pg9'/) });
      send(7, "close");
      expect(await next((l) => "id" in l && l.id === 7)).toMatchObject({ error: "unknown call 'close'" });

      const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
