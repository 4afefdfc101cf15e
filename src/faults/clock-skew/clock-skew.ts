import type { Fault, FaultContext, FaultEffect } from "../fault.js";
import type { Lab } from "../../lab/lab-api.js";
import { sleep } from "../../util/time.js";

/** Which processes of a target container see the skewed clock. */
export type ClockSkewProcesses = "all" | "etcd" | "patroni" | "postgres";

export interface ClockSkewOptions {
  /** Node (container) names. */
  targets: string[];
  /** Signed offset added to the wall clock of the processes, milliseconds. */
  offsetMs: number;
  processes: ClockSkewProcesses;
  /** Extra offset per minute of real time, milliseconds (optional; `drift` in scenarios). */
  driftMsPerMin?: number;
  /** Distinguishes this fault's files in /run/pgchaos (the scenario step id). */
  id?: string;
  /** How long inject/update wait for every covered service process to show the offset. Default 5000. */
  verifyTimeoutMs?: number;
}

/** The helper compose/helpers/clockshim.c becomes in the lab image. */
export const CLOCKSHIM = "/usr/local/bin/pgchaos-clockshim";

/**
 * `/proc/PID/comm` patterns (POSIX ERE) of the processes each choice covers. Patroni's comm is
 * its script name; every PostgreSQL process (postmaster, backends, walsender, ...) is forked
 * from the postmaster and keeps "postgres"; undefined = every process of the container.
 */
export const CLOCK_SKEW_COMM: Readonly<Record<ClockSkewProcesses, string | undefined>> = {
  all: undefined,
  etcd: "^etcd$",
  patroni: "^patroni$",
  postgres: "^postgres",
};

/** The long-lived service processes whose offset inject/update verify. */
const SERVICE_COMM = "^(etcd|patroni|postgres.*|haproxy)$";

/**
 * The line the inject and heal scripts print when they acted: `pgchaos-acted <A> <B>`, A the
 * container's /proc/uptime (seconds) just after the command that changed the clocks (the
 * watcher started, the offset file rewritten, the watcher stopped after clearing, a leftover
 * cleared), B at the script's end. B - A is how long before the script returned the shim acted;
 * the harness subtracts it from the time exec returned. Differences of the kernel's clock, so
 * right also when the engine runs on another machine.
 */
export const ACTED_LINE = "pgchaos-acted";

/** Shell: the uptime now into variable `v` (no fork). */
const uptimeInto = (v: string) => `read -r ${v} _ < /proc/uptime || ${v}=""`;

/** Shell: the ACTED_LINE, when `a` holds the uptime the script acted at. */
const printActed = `if [ -n "$a" ] && read -r b _ < /proc/uptime; then echo "${ACTED_LINE} $a $b"; fi`;

/**
 * When the shim acted, on the harness's axis, from an exec's stdout: the exec returned at
 * `after` (and began at `before`), ACTED_LINE says how long before its end the shim acted.
 * Without the line (nothing was done, or /proc/uptime unreadable): `after`.
 */
export function actedAt(stdout: string, before: number, after: number): number {
  const m = new RegExp(`^${ACTED_LINE} (\\d+(?:\\.\\d+)?) (\\d+(?:\\.\\d+)?)$`, "m").exec(stdout);
  if (!m) return after;
  const agoMs = Math.round((Number(m[2]) - Number(m[1])) * 1000);
  if (!Number.isFinite(agoMs) || agoMs < 0) return after;
  return Math.max(before, after - agoMs);
}

/** Seconds with millisecond precision, signed: 40000 -> "40.000", -1500 -> "-1.500". */
export function secondsArg(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Single-quoted shell word. */
function sq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Incident 1: the wall clock of one node's processes drifts away from the others'.
 *
 * All containers share the kernel's clock, so the skew is per process: `pgchaos-clockshim`
 * patches the vDSO clock functions of each matching process (ptrace from inside the container,
 * no extra capability; see compose/helpers/clockshim.c). CLOCK_REALTIME, CLOCK_REALTIME_COARSE,
 * CLOCK_TAI, gettimeofday and time move; CLOCK_MONOTONIC does not, so timeouts and etcd's lease
 * and election timers keep running at the real rate — as with a real node whose wall clock is
 * off. This reaches Go (etcd), Python (Patroni) and C (PostgreSQL) alike.
 *
 * inject starts one `pgchaos-clockshim watch` per target container, in the background, as root:
 * it applies the offset to every matching process now and to new ones within 100 ms (a process
 * forked from a skewed one is skewed from its first instruction; a freshly exec'd one, e.g. a
 * PostgreSQL restarted by Patroni, is unskewed for up to one interval). It switches to each
 * process's own uid to ptrace it, so etcd (root or etcd) and Patroni/PostgreSQL (postgres) are
 * covered by the same watcher. Its log lines ("[pgchaos] clockshim watch[...]: ...") land in the
 * container log. The offset lives in a file the watcher re-reads every pass: `update` rewrites it.
 * heal sends SIGTERM (the watcher restores every process it covers), then clears whatever is
 * still skewed and verifies with `pgchaos-clockshim get`. heal is idempotent and works after a
 * partial inject or after the watcher died.
 *
 * Two clock-skew faults on the same node must cover disjoint process sets.
 */
export class ClockSkew implements Fault {
  readonly type = "clock-skew";
  readonly targets: string[];
  readonly processes: ClockSkewProcesses;
  private offsetMs: number;
  private readonly driftMsPerMin: number;
  private readonly base: string;
  private readonly verifyTimeoutMs: number;

  constructor(opts: ClockSkewOptions) {
    if (!Number.isFinite(opts.offsetMs)) throw new Error(`clock-skew: offset must be a number of milliseconds, got ${opts.offsetMs}`);
    if (!(opts.processes in CLOCK_SKEW_COMM)) throw new Error(`clock-skew: processes must be all, etcd, patroni or postgres, got ${opts.processes}`);
    this.targets = [...opts.targets];
    this.offsetMs = opts.offsetMs;
    this.processes = opts.processes;
    this.driftMsPerMin = opts.driftMsPerMin ?? 0;
    this.verifyTimeoutMs = opts.verifyTimeoutMs ?? 5000;
    if (!Number.isFinite(this.driftMsPerMin)) throw new Error(`clock-skew: drift must be a number of milliseconds per minute`);
    const id = (opts.id ?? Math.random().toString(36).slice(2, 10)).replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32) || "skew";
    this.base = `/run/pgchaos/clockskew-${id}`;
  }

  get offsetFile() {
    return `${this.base}.offset`;
  }
  get pidFile() {
    return `${this.base}.pid`;
  }
  get currentOffsetMs() {
    return this.offsetMs;
  }

  private commRe(): string {
    return CLOCK_SKEW_COMM[this.processes] ?? ".";
  }

  /** Shell that writes the offset file and starts the watcher unless it runs; prints its pid. */
  injectScript(): string {
    const off = secondsArg(this.offsetMs);
    const of = this.offsetFile;
    const pf = this.pidFile;
    const comm = CLOCK_SKEW_COMM[this.processes];
    const args = [
      CLOCKSHIM,
      "watch",
      off,
      ...(comm ? ["--comm", sq(comm)] : []),
      "--offset-file",
      of,
      ...(this.driftMsPerMin ? ["--drift-per-min", secondsArg(this.driftMsPerMin)] : []),
    ].join(" ");
    return [
      "set -e",
      "mkdir -p /run/pgchaos",
      `printf '%s\\n' ${off} > ${of}.tmp && mv -f ${of}.tmp ${of}`,
      // Already running (inject twice): the offset file is all that changes (read on its next pass, within 100 ms).
      `if [ -s ${pf} ] && p=$(cat ${pf}) && grep -qs '^pgchaos-clocks' /proc/$p/comm; then ${uptimeInto("a")}; ${printActed}; echo "$p"; exit 0; fi`,
      // The container log (PID 1's stdout) when writable, else a file beside the offset.
      `log=${this.base}.log; [ -w /proc/1/fd/1 ] && log=/proc/1/fd/1`,
      `nohup ${args} </dev/null >>"$log" 2>&1 &`,
      // The watcher's first pass over the processes starts now.
      uptimeInto("a"),
      `echo $! > ${pf}`,
      "sleep 0.3",
      `p=$(cat ${pf}); if ! grep -qs '^pgchaos-clocks' /proc/$p/comm; then echo "pgchaos-clockshim watch exited at once (see the container log)" >&2; exit 1; fi`,
      printActed,
      `echo "$p"`,
    ].join("\n");
  }

  /** Shell printing "<pid> <comm> <offset|none>" for the running service processes this fault covers. */
  probeScript(): string {
    return [
      `re=${sq(this.commRe())}`,
      "for d in /proc/[0-9]*; do",
      "  p=${d#/proc/}; [ \"$p\" = 1 ] && continue",
      "  c=$(cat $d/comm 2>/dev/null) || continue",
      `  printf '%s\\n' "$c" | grep -qE "$re" || continue`,
      `  printf '%s\\n' "$c" | grep -qE ${sq(SERVICE_COMM)} || continue`,
      `  v=$(${CLOCKSHIM} get $p 2>/dev/null) || continue`,
      '  echo "$p $c $v"',
      "done",
    ].join("\n");
  }

  /** Shell that stops the watcher (it clears on SIGTERM), clears leftovers, removes the files. */
  healScript(): string {
    const pf = this.pidFile;
    return [
      'a=""',
      `if [ -s ${pf} ] && p=$(cat ${pf}) && grep -qs '^pgchaos-clocks' /proc/$p/comm; then`,
      "  kill -TERM $p 2>/dev/null || true",
      "  i=0",
      "  while [ $i -lt 150 ] && grep -qs '^pgchaos-clocks' /proc/$p/comm && ! grep -qs '^State:.*Z' /proc/$p/status; do sleep 0.1; i=$((i+1)); done",
      "  if grep -qs '^pgchaos-clocks' /proc/$p/comm && ! grep -qs '^State:.*Z' /proc/$p/status; then kill -KILL $p 2>/dev/null || true; fi",
      // The watcher cleared every process it covers before it exited (within the 0.1 s poll).
      `  ${uptimeInto("a")}`,
      "fi",
      // Whatever is still skewed (watcher killed, or it failed on a process): clear it directly.
      `re=${sq(this.commRe())}`,
      'left=""',
      "for d in /proc/[0-9]*; do",
      "  p=${d#/proc/}; [ \"$p\" = 1 ] && continue",
      "  c=$(cat $d/comm 2>/dev/null) || continue",
      '  case "$c" in pgchaos-clocks*|runc:*) continue;; esac',
      `  printf '%s\\n' "$c" | grep -qE "$re" || continue`,
      `  v=$(${CLOCKSHIM} get $p 2>/dev/null) || continue`,
      '  [ "$v" = none ] && continue',
      `  if ${CLOCKSHIM} clear $p >/dev/null 2>&1 && [ "$(${CLOCKSHIM} get $p 2>/dev/null)" = none ]; then`,
      `    ${uptimeInto("a")}`,
      '    echo "cleared leftover skew of pid $p ($c, was $v s)"',
      '  elif [ -d "$d" ]; then left="$left $p($c)"; fi',
      "done",
      `rm -f ${pf} ${this.offsetFile} ${this.offsetFile}.tmp`,
      'if [ -n "$left" ]; then echo "still skewed:$left" >&2; exit 1; fi',
      printActed,
    ].join("\n");
  }

  /** The covered service processes and their current offset in seconds (null = not skewed). */
  async probe(lab: Lab, node: string): Promise<{ pid: number; comm: string; offsetSec: number | null }[]> {
    const r = await lab.exec(node, ["sh", "-c", this.probeScript()], { check: false });
    return r.stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [pid, comm, v] = line.split(" ");
        return { pid: Number(pid), comm, offsetSec: v === "none" || v === undefined ? null : Number(v) };
      });
  }

  /** Waits until every covered service process shows the offset (with drift: any offset). */
  async waitApplied(ctx: FaultContext, node: string, timeoutMs = this.verifyTimeoutMs): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const procs = await this.probe(ctx.lab, node);
      const wrong = procs.filter((p) =>
        this.driftMsPerMin ? p.offsetSec === null : p.offsetSec === null || Math.abs(p.offsetSec * 1000 - this.offsetMs) > 1.5,
      );
      if (!wrong.length) return procs.length;
      if (Date.now() > deadline) {
        throw new Error(
          `${node}: clock skew not applied within ${timeoutMs / 1000} s to ${wrong.map((p) => `${p.comm}[${p.pid}]=${p.offsetSec ?? "none"}`).join(", ")} (see the container log)`,
        );
      }
      await sleep(250);
    }
  }

  private describe(): string {
    const off = `${this.offsetMs >= 0 ? "+" : ""}${secondsArg(this.offsetMs)} s`;
    const drift = this.driftMsPerMin ? `, drifting ${this.driftMsPerMin >= 0 ? "+" : ""}${secondsArg(this.driftMsPerMin)} s/min` : "";
    return `${off}${drift} on ${this.processes === "all" ? "all processes" : `${this.processes} processes`}`;
  }

  /** Resolves with when the skew took effect on the last target (its watcher's start), before the verification. */
  async inject(ctx: FaultContext): Promise<FaultEffect> {
    let effectiveAt: number | undefined;
    for (const node of this.targets) {
      const before = ctx.now();
      const r = await ctx.lab.exec(node, ["sh", "-c", this.injectScript()]);
      effectiveAt = actedAt(r.stdout, before, ctx.now());
      const pid = r.stdout.trim().split("\n").pop();
      const n = await this.waitApplied(ctx, node);
      ctx.log(`${node}: wall clock ${this.describe()} (pgchaos-clockshim watch, pid ${pid}; ${n} service process${n === 1 ? "" : "es"} skewed)`);
    }
    return { effectiveAt };
  }

  /** params.offsetMs (or params.offset, ms as scenarios parse it): the new offset, applied live. */
  async update(ctx: FaultContext, params: Record<string, unknown>): Promise<FaultEffect> {
    const v = params.offsetMs ?? params.offset;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`clock-skew update: offsetMs must be a number, got ${String(v)}`);
    this.offsetMs = v;
    const off = secondsArg(v);
    let effectiveAt: number | undefined;
    for (const node of this.targets) {
      await ctx.lab.exec(node, [
        "sh",
        "-c",
        `[ -e ${this.pidFile} ] || { echo "no clock-skew watcher running" >&2; exit 1; }; printf '%s\\n' ${off} > ${this.offsetFile}.tmp && mv -f ${this.offsetFile}.tmp ${this.offsetFile}`,
      ]);
      // The watcher reads the rewritten file on its next pass, within 100 ms.
      effectiveAt = ctx.now();
    }
    for (const node of this.targets) await this.waitApplied(ctx, node);
    ctx.log(`${this.targets.join(", ")}: wall clock now ${this.describe()}`);
    return { effectiveAt };
  }

  /** Resolves with when the clocks were restored (the watcher stopped, or the last leftover cleared), before the verification. */
  async heal(ctx: FaultContext, node: string): Promise<FaultEffect> {
    const before = ctx.now();
    const r = await ctx.lab.exec(node, ["sh", "-c", this.healScript()], { check: false, timeoutSec: 60 });
    const effectiveAt = actedAt(r.stdout, before, ctx.now());
    for (const line of r.stdout.trim().split("\n").filter((l) => l && !l.startsWith(`${ACTED_LINE} `))) ctx.log(`${node}: ${line}`);
    if (r.exitCode !== 0) throw new Error(`${node}: clock-skew heal: ${(r.stderr || r.stdout).trim()}`);
    const still = (await this.probe(ctx.lab, node)).filter((p) => p.offsetSec !== null);
    if (still.length) throw new Error(`${node}: still skewed after heal: ${still.map((p) => `${p.comm}[${p.pid}]=${p.offsetSec}`).join(", ")}`);
    ctx.log(`${node}: wall clock restored`);
    return { effectiveAt };
  }

  manualHeal(_target: string, container: string) {
    return `docker restart ${container} (the clock shim's offsets live in its processes)`;
  }
}
