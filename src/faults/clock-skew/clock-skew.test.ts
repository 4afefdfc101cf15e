import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLOCK_SKEW_COMM, ClockSkew, secondsArg } from "./clock-skew.js";
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

function ctxOf(lab: Lab) {
  const log: string[] = [];
  const ctx: FaultContext = { lab, history: {} as History, now: () => 0, log: (m) => log.push(m) };
  return { ctx, log };
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
