import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ACTED_LINE, CLOCKSHIM, CLOCK_SKEW_COMM, ClockSkew, actedAt, secondsArg } from "./clock-skew.js";
import type { FaultContext } from "../fault.js";
import type { ExecOptions, ExecResult, Lab } from "../../lab/lab-api.js";
import type { History } from "../../history/history.js";

/** A lab whose exec answers by the kind of script it is given. */
function fakeLab(answer: (node: string, script: string) => Partial<ExecResult> | Error) {
  const calls: { node: string; script: string; opts?: ExecOptions }[] = [];
  const lab = {
    exec: async (node: string, cmd: string[], opts?: ExecOptions): Promise<ExecResult> => {
      const script = cmd[cmd.length - 1];
      calls.push({ node, script, opts });
      const a = answer(node, script);
      if (a instanceof Error) throw a;
      const r = { exitCode: 0, stdout: "", stderr: "", ...a };
      if ((opts?.check ?? true) && r.exitCode !== 0) throw new Error(`${node}: exit ${r.exitCode}: ${r.stderr}`);
      return r;
    },
  } as unknown as Lab;
  return { lab, calls };
}

function ctxOf(lab: Lab, now: () => number = () => 0) {
  const log: string[] = [];
  const ctx: FaultContext = { lab, history: {} as History, now, log: (m) => log.push(m) };
  return { ctx, log };
}

/** A harness clock every exec moves by 400 ms (what a docker exec costs on a loaded machine). */
function slowExecs(answer: (node: string, script: string) => Partial<ExecResult> | Error) {
  const clock = { t: 1_000 };
  const { lab, calls } = fakeLab((node, script) => {
    clock.t += 400;
    return answer(node, script);
  });
  return { lab, calls, now: () => clock.t };
}

const isProbe = (s: string) => s.includes("get $p") && !s.includes("clear");
const isHeal = (s: string) => s.includes("kill -TERM");
const isInject = (s: string) => s.includes(" watch ");

describe("ClockSkew", () => {
  it("formats offsets as signed seconds with millisecond precision", () => {
    expect(secondsArg(40_000)).toBe("40.000");
    expect(secondsArg(-1500)).toBe("-1.500");
    expect(secondsArg(1)).toBe("0.001");
  });

  it("rejects bad parameters", () => {
    expect(() => new ClockSkew({ targets: ["pg1"], offsetMs: Number.NaN, processes: "all" })).toThrow(/offset/);
    expect(() => new ClockSkew({ targets: ["pg1"], offsetMs: 1, processes: "java" as never })).toThrow(/processes/);
  });

  it("starts one watcher per target with the comm filter of the process choice", () => {
    const etcd = new ClockSkew({ targets: ["e1"], offsetMs: -40_000, processes: "etcd", id: "s1" });
    expect(etcd.injectScript()).toContain("pgchaos-clockshim watch -40.000 --comm '^etcd$' --offset-file /run/pgchaos/clockskew-s1.offset");
    const all = new ClockSkew({ targets: ["pg1"], offsetMs: 2500, processes: "all", driftMsPerMin: 1000, id: "s2" });
    expect(all.injectScript()).not.toContain("--comm");
    expect(all.injectScript()).toContain("--drift-per-min 1.000");
    expect(CLOCK_SKEW_COMM.postgres).toBe("^postgres");
    expect(CLOCK_SKEW_COMM.patroni).toBe("^patroni$");
  });

  it("generates shell that parses", () => {
    for (const processes of ["all", "etcd", "patroni", "postgres"] as const) {
      const f = new ClockSkew({ targets: ["x"], offsetMs: -1, processes, id: "it's" });
      for (const script of [f.injectScript(), f.probeScript(), f.healScript()]) execFileSync("sh", ["-n", "-c", script]);
    }
  });

  it("inject waits until every covered service process shows the offset, then logs", async () => {
    let probes = 0;
    const { lab, calls } = fakeLab((_node, s) => {
      if (isInject(s)) return { stdout: "4242\n" };
      if (isProbe(s)) return { stdout: probes++ === 0 ? "9 etcd none\n" : "9 etcd -40.000000000\n" };
      return {};
    });
    const { ctx, log } = ctxOf(lab);
    await new ClockSkew({ targets: ["e1"], offsetMs: -40_000, processes: "etcd" }).inject(ctx);
    expect(probes).toBe(2);
    expect(calls[0].opts?.user ?? "root").toBe("root");
    expect(log).toEqual(["e1: wall clock -40.000 s on etcd processes (pgchaos-clockshim watch, pid 4242; 1 service process skewed)"]);
  });

  it("inject fails when the offset does not arrive", async () => {
    const { lab } = fakeLab((_node, s) => (isProbe(s) ? { stdout: "9 etcd none\n" } : { stdout: "1\n" }));
    const { ctx } = ctxOf(lab);
    const f = new ClockSkew({ targets: ["e1"], offsetMs: 5000, processes: "etcd", verifyTimeoutMs: 300 });
    await expect(f.inject(ctx)).rejects.toThrow(/e1: clock skew not applied within 0.3 s to etcd\[9\]=none/);
  });

  it("update rewrites the offset file on every target and verifies", async () => {
    let offset = "40.000000000";
    const { lab, calls } = fakeLab((_node, s) => {
      if (s.includes(".offset.tmp && mv")) {
        offset = "-2.500000000";
        return {};
      }
      if (isProbe(s)) return { stdout: `7 patroni ${offset}\n` };
      return {};
    });
    const { ctx } = ctxOf(lab);
    const f = new ClockSkew({ targets: ["pg1", "pg2"], offsetMs: 40_000, processes: "patroni", id: "u" });
    await f.update(ctx, { offsetMs: -2500 });
    expect(f.currentOffsetMs).toBe(-2500);
    expect(calls.filter((c) => c.script.includes("printf '%s\\n' -2.500 > /run/pgchaos/clockskew-u.offset.tmp")).map((c) => c.node)).toEqual(["pg1", "pg2"]);
    await expect(f.update(ctx, { offsetMs: "soon" })).rejects.toThrow(/offsetMs must be a number/);
  });

  it("inject and heal say when the shim acted, not when their verification finished", async () => {
    // inject of pg1: exec 1 000 -> 1 400 (the watcher started 0.3 s before the script ended),
    // one probe to 1 800; pg2: exec 1 800 -> 2 200, probe to 2 600.
    let skewed = false;
    const { lab, now } = slowExecs((_node, s) => {
      if (isInject(s)) {
        skewed = true;
        return { stdout: `${ACTED_LINE} 100.20 100.50\n4242\n` };
      }
      if (isProbe(s)) return { stdout: skewed ? "9 etcd -40.000000000\n" : "9 etcd none\n" };
      if (isHeal(s)) {
        skewed = false;
        return { stdout: `cleared leftover skew of pid 9 (etcd, was -40.000000000 s)\n${ACTED_LINE} 200.00 200.25\n` };
      }
      return {};
    });
    const { ctx, log } = ctxOf(lab, now);
    const f = new ClockSkew({ targets: ["pg1", "pg2"], offsetMs: -40_000, processes: "etcd" });
    // Only the last target's start counts: the fault is in effect once it is on every target.
    expect(await f.inject(ctx)).toEqual({ effectiveAt: 2_200 - 300 });
    expect(now()).toBe(2_600);
    // heal of pg1: exec 2 600 -> 3 000, the last leftover cleared 0.25 s before its end; probe to 3 400.
    expect(await f.heal(ctx, "pg1")).toEqual({ effectiveAt: 3_000 - 250 });
    expect(now()).toBe(3_400);
    expect(log.filter((l) => l.includes(ACTED_LINE))).toEqual([]);
    expect(log).toContain("pg1: cleared leftover skew of pid 9 (etcd, was -40.000000000 s)");
    // update: the watcher reads the rewritten file within 100 ms; effective when the last rewrite returned.
    skewed = true;
    await f.inject(ctx);
    const beforeUpdate = now();
    expect(await f.update(ctx, { offsetMs: -40_000 })).toEqual({ effectiveAt: beforeUpdate + 800 });
  });

  it("without the acted line (nothing to do, no /proc/uptime), when the exec returned", () => {
    expect(actedAt("4242\n", 1_000, 1_400)).toBe(1_400);
    expect(actedAt(`${ACTED_LINE} 10.50 10.00\n`, 1_000, 1_400)).toBe(1_400); // backwards: ignored
    expect(actedAt(`${ACTED_LINE} 10.00 12.00\n`, 1_000, 1_400)).toBe(1_000); // not before the exec began
    expect(actedAt(`x\n${ACTED_LINE} 10.00 10.10\n4242\n`, 1_000, 1_400)).toBe(1_300);
  });

  it("the scripts print the acted line at the right moments (run with a stand-in for the shim)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pgchaos-clockskew-"));
    try {
      const shim = path.join(dir, "pgchaos-clockshim"); // its comm, pgchaos-clocksh, is what the scripts look for
      writeFileSync(shim, "#!/bin/sh\ncase \"$1\" in\n  watch) trap 'exit 0' TERM; while :; do sleep 0.05; done;;\n  get) echo none;;\nesac\n");
      chmodSync(shim, 0o755);
      const f = new ClockSkew({ targets: ["x"], offsetMs: 1000, processes: "etcd", id: "t" });
      const run = (script: string) => {
        const r = spawnSync("sh", ["-c", script.replaceAll(CLOCKSHIM, shim).replaceAll("/run/pgchaos", path.join(dir, "run"))], { encoding: "utf8", timeout: 30_000 });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout.split("\n").filter(Boolean);
      };
      const acted = (line: string) => line.split(" ").slice(1).map(Number);
      // inject: acted when the watcher started, ~0.3 s (its liveness wait) before the end; the pid last.
      const inject = run(f.injectScript());
      expect(inject).toHaveLength(2);
      const [a, b] = acted(inject[0]);
      expect(inject[0].startsWith(`${ACTED_LINE} `) && b - a >= 0.2 && b - a < 5).toBe(true);
      expect(inject[1]).toMatch(/^\d+$/);
      // Again: only the offset file changes, acted at once.
      const again = run(f.injectScript());
      expect(again[1]).toBe(inject[1]);
      expect(acted(again[0])[1] - acted(again[0])[0]).toBeLessThan(0.2);
      // heal: acted when the watcher had stopped; then nothing to do, so no line.
      expect(run(f.healScript()).filter((l) => l.startsWith(ACTED_LINE))).toHaveLength(1);
      expect(run(f.healScript())).toEqual([]);
    } finally {
      // A watcher left running by a failed check: stop it (the stand-in exits on SIGTERM).
      try {
        const pid = Number(readFileSync(path.join(dir, "run", "clockskew-t.pid"), "utf8").trim());
        if (Number.isInteger(pid) && pid > 1) process.kill(pid, "SIGTERM"); // never 0 or -1: a process group
      } catch {
        // no pid file (healed) or no such process
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("heal tries every target and reports all failures", async () => {
    const { lab, calls } = fakeLab((node, s) => {
      if (isHeal(s)) return node === "pg1" ? { exitCode: 1, stderr: "still skewed: 12(postgres)" } : { stdout: "cleared leftover skew of pid 3 (etcd, was 5.000000000 s)\n" };
      if (isProbe(s)) return { stdout: "3 etcd none\n" };
      return {};
    });
    const { ctx, log } = ctxOf(lab);
    const f = new ClockSkew({ targets: ["pg1", "e1"], offsetMs: 1000, processes: "all" });
    await expect(f.heal(ctx, "pg1")).rejects.toThrow(/pg1: clock-skew heal: still skewed: 12\(postgres\)/);
    await f.heal(ctx, "e1");
    expect(calls.filter((c) => isHeal(c.script)).map((c) => c.node)).toEqual(["pg1", "e1"]);
    expect(log).toContain("e1: cleared leftover skew of pid 3 (etcd, was 5.000000000 s)");
    expect(log).toContain("e1: wall clock restored");
  });
});
