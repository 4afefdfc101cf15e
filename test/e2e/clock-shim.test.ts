/**
 * pgchaos-clockshim on real containers: per-process wall-clock skew through the vDSO, for Go
 * (etcd), C (date, PostgreSQL) and Python (Patroni), by `docker exec` inside the container with
 * Docker's default capabilities; the ClockSkew fault on top of it; etcd's drift prober.
 *
 * The image is $PGCHAOS_IMAGE, else the one the e2e global setup built, else pgchaos-lab:dev;
 * the first test fails when there is no engine, no such image, or the image has no
 * pgchaos-clockshim. Containers carry the label pgchaos.dev=clockshim and are
 * removed at the end.
 */
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ClockSkew } from "../../src/faults/clock-skew/clock-skew.js";
import type { FaultContext } from "../../src/faults/fault.js";
import type { History } from "../../src/history/history.js";
import type { Lab } from "../../src/lab/lab-api.js";
import { dockerExec } from "../../src/lab/docker-exec.js";
import { runLabels } from "../../src/lab/labels.js";
import { imageFacts } from "../../src/image/facts.js";

// The run labels too: a crashed test run's containers are reaped by `pgchaos gc` like any run's.
const LABEL = { "pgchaos.dev": "clockshim", ...runLabels(`clockshim-test-${process.pid}`) };
const docker = new Dockerode();
const suffix = Math.random().toString(36).slice(2, 8);

function imageName(): string {
  if (process.env.PGCHAOS_IMAGE) return process.env.PGCHAOS_IMAGE;
  try {
    const provided = inject("labImage");
    if (provided) return provided;
  } catch {
    /* not run by the e2e project's global setup */
  }
  return "pgchaos-lab:dev";
}
const IMAGE = imageName();

/** Runs a throw-away container to completion; returns its exit code. */
async function runOnce(cmd: string[]): Promise<number> {
  const c = await docker.createContainer({ Image: IMAGE, Entrypoint: cmd.slice(0, 1), Cmd: cmd.slice(1), Labels: LABEL });
  try {
    await c.start();
    const r = (await c.wait()) as { StatusCode: number };
    return r.StatusCode;
  } finally {
    await c.remove({ force: true }).catch(() => {});
  }
}

const skipReason = await (async (): Promise<string | undefined> => {
  try {
    await docker.ping();
  } catch (e) {
    return `no Docker engine (${(e as Error).message})`;
  }
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    return `image ${IMAGE} not found: set PGCHAOS_IMAGE, or build it: cd compose && docker build --build-arg BASE=pgchaos-base:dev -t pgchaos-lab:dev .`;
  }
  if ((await runOnce(["/usr/bin/test", "-x", "/usr/local/bin/pgchaos-clockshim"])) !== 0)
    return `image ${IMAGE} has no /usr/local/bin/pgchaos-clockshim (built before compose/helpers/clockshim.c existed): rebuild it`;
  return undefined;
})();
// The e2e global setup builds the image from the recipe, clockshim included: anything missing
// here is a failure of the lab, not a reason to skip.

// ------------------------------------------------------------------------------------------

const containers: Dockerode.Container[] = [];
let network: Dockerode.Network | undefined;

async function start(name: string, script: string, opts: { network?: string; alias?: string } = {}): Promise<string> {
  const full = `pgchaos-clockshim-${name}-${suffix}`;
  const c = await docker.createContainer({
    Image: IMAGE,
    name: full,
    Hostname: opts.alias ?? name,
    Labels: LABEL,
    Entrypoint: ["/usr/bin/tini", "-g", "--"],
    Cmd: ["sh", "-c", script],
    HostConfig: { NetworkMode: opts.network },
    NetworkingConfig: opts.network ? { EndpointsConfig: { [opts.network]: { Aliases: [opts.alias ?? name] } } } : undefined,
  });
  containers.push(c);
  await c.start();
  return c.id;
}

async function sh(id: string, script: string, user = "root", check = true) {
  return dockerExec(docker, id, id.slice(0, 12), ["sh", "-c", script], { user, check, timeoutSec: 120 });
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const hostNow = () => Date.now() / 1000;

/** etcd (as user etcd), zap JSON log in /tmp/etcd.log. */
function etcdShell(name: string, cluster?: string) {
  const peer = cluster ? `http://${name}:2380` : "http://127.0.0.1:2380";
  const client = cluster ? `http://${name}:2379` : "http://127.0.0.1:2379";
  return (
    `setpriv --reuid etcd --regid etcd --init-groups etcd --name ${name} --data-dir /tmp/etcd --logger=zap --log-outputs=stderr ` +
    `--listen-client-urls http://0.0.0.0:2379 --advertise-client-urls ${client} --listen-peer-urls http://0.0.0.0:2380 ` +
    `--initial-advertise-peer-urls ${peer} --initial-cluster ${cluster ?? `${name}=${peer}`} > /tmp/etcd.log 2>&1 &`
  );
}

/** A long-lived `date` (as postgres) printing the time every 0.2 s into /tmp/date.log. */
const DATE_LOOP =
  "(while sleep 0.2; do echo now; done) | setpriv --reuid postgres --regid postgres --init-groups stdbuf -oL date -f - +%s.%N > /tmp/date.log 2>&1 &";

async function lastDate(id: string): Promise<number> {
  return Number((await sh(id, "tail -1 /tmp/date.log")).stdout.trim());
}

/** Timestamp (seconds) of etcd's log line for a defragmentation run right now. */
async function etcdLogTimeAfterDefrag(id: string): Promise<number> {
  await sh(id, "etcdctl defrag >/dev/null");
  const line = (await sh(id, "grep '\"finished defragment\"' /tmp/etcd.log | tail -1")).stdout.trim();
  return Date.parse(JSON.parse(line).ts as string) / 1000;
}

async function pidOf(id: string, comm: string): Promise<number> {
  const r = await sh(id, `pgrep -o -x ${comm}`);
  return Number(r.stdout.trim());
}

function near(got: number, want: number, tol: number) {
  expect(Math.abs(got - want), `got ${got.toFixed(3)}, want ${want.toFixed(3)} ± ${tol}`).toBeLessThanOrEqual(tol);
}

/** A Lab over plain containers: only what ClockSkew uses (exec). */
function miniLab(nodes: Record<string, string>): Lab {
  return {
    runId: `clockshim-${suffix}`,
    scope: "cs",
    namespace: "/service/",
    nodes: [],
    exec: (node: string, cmd: string[], opts?: { user?: string; check?: boolean; timeoutSec?: number }) =>
      dockerExec(docker, nodes[node], node, cmd, opts),
  } as unknown as Lab;
}

function faultContext(lab: Lab, log: string[]): FaultContext {
  const t0 = Date.now();
  return { lab, history: {} as History, now: () => Date.now() - t0, log: (m) => log.push(m) };
}

// ------------------------------------------------------------------------------------------

describe("pgchaos-clockshim (vDSO clock shim)", () => {
  it("has an engine and an image with the shim", () => {
    expect(skipReason).toBeUndefined();
  });
  let a = ""; // etcd + date loop: the target
  let b = ""; // a date loop: the bystander

  beforeAll(async () => {
    a = await start("a", `${etcdShell("a")}\n${DATE_LOOP}\nwait`);
    b = await start("b", `${DATE_LOOP}\nwait`);
    await waitFor("etcd in a", async () => (await sh(a, "etcdctl endpoint health", "root", false)).exitCode === 0, 30_000);
    await waitFor("date loops", async () => (await lastDate(a)) > 0 && (await lastDate(b)) > 0, 10_000);
  });

  afterAll(async () => {
    await Promise.all(containers.map((c) => c.remove({ force: true }).catch(() => {})));
    if (network) await network.remove().catch(() => {});
  });

  it("skews etcd (Go) and date (C) by docker exec as their owner; another container and exec'd programs keep the real time; clear restores", async () => {
    const etcd = await pidOf(a, "etcd");
    const date = await pidOf(a, "date");

    await sh(a, `pgchaos-clockshim set ${etcd} -40`, "etcd");
    await sh(a, `pgchaos-clockshim set ${date} -40`, "postgres");
    expect((await sh(a, `pgchaos-clockshim get ${etcd}`, "etcd")).stdout.trim()).toBe("-40.000000000");
    // root with Docker's default capabilities (no CAP_SYS_PTRACE) works too: it becomes the owner
    expect((await sh(a, `pgchaos-clockshim get ${date}`)).stdout.trim()).toBe("-40.000000000");

    await new Promise((r) => setTimeout(r, 500));
    near(await lastDate(a), hostNow() - 40, 1.5);
    near(await etcdLogTimeAfterDefrag(a), hostNow() - 40, 2);
    near(await lastDate(b), hostNow(), 1.5); // another container
    near(Number((await sh(a, "date +%s.%N")).stdout), hostNow(), 1.5); // a new program (exec) in the same container

    // a user that does not own the process is refused with a one-line reason
    const denied = await sh(a, `pgchaos-clockshim set ${etcd} 5`, "postgres", false);
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr).toMatch(/need same uid or CAP_SYS_PTRACE/);
    expect(denied.stderr.trim().split("\n")).toHaveLength(1);

    await sh(a, `pgchaos-clockshim clear ${etcd}`, "etcd");
    await sh(a, `pgchaos-clockshim clear ${date}`, "postgres");
    expect((await sh(a, `pgchaos-clockshim get ${etcd}`, "etcd")).stdout.trim()).toBe("none");
    await new Promise((r) => setTimeout(r, 500));
    near(await lastDate(a), hostNow(), 1.5);
    near(await etcdLogTimeAfterDefrag(a), hostNow(), 2);

    const self = await sh(a, "pgchaos-clockshim selftest", "etcd", false);
    expect(self.exitCode, self.stdout + self.stderr).toBe(0);
    process.stderr.write(self.stdout.split("\n").filter((l) => l.includes("ns/call")).join("\n") + "\n");
  });

  it("a running etcd survives 100 set/change/clear cycles under load and still answers endpoint health", async () => {
    const etcd = await pidOf(a, "etcd");
    await sh(a, "(for i in $(seq 1 300); do etcdctl put k$i v$i >/dev/null || echo FAIL >> /tmp/puts.err; done; echo done > /tmp/puts.done) >/dev/null 2>&1 &");
    const r = await sh(
      a,
      `fails=0; for i in $(seq 1 100); do
         if [ $((i % 3)) = 0 ]; then pgchaos-clockshim clear ${etcd} || fails=$((fails+1));
         else pgchaos-clockshim set ${etcd} $(( (i * 37) % 200 - 100 )).$i || fails=$((fails+1)); fi
       done; echo $fails`,
      "etcd",
    );
    expect(r.stdout.trim()).toBe("0");
    await sh(a, `pgchaos-clockshim clear ${etcd}`, "etcd");
    await waitFor("the put loop", async () => (await sh(a, "cat /tmp/puts.done", "root", false)).stdout.includes("done"), 120_000);
    expect((await sh(a, "cat /tmp/puts.err 2>/dev/null || true")).stdout).toBe("");
    const health = await sh(a, "etcdctl endpoint health");
    expect(health.stdout + health.stderr).toMatch(/is healthy/);
    expect(await pidOf(a, "etcd")).toBe(etcd); // the same process: never restarted
    expect((await sh(a, `pgchaos-clockshim get ${etcd}`, "etcd")).stdout.trim()).toBe("none");
    near(await etcdLogTimeAfterDefrag(a), hostNow(), 2);
  });

  it("ClockSkew fault: etcd, Patroni (Python) and PostgreSQL skewed by one root watcher; update; heal restores", async () => {
    const { pgBinDir } = await imageFacts(docker, IMAGE);
    const patroniYml = [
      "scope: cs",
      "name: p1",
      "log: {level: INFO, format: '%(asctime)s %(levelname)s: %(message)s'}",
      "restapi: {listen: '0.0.0.0:8008', connect_address: '127.0.0.1:8008'}",
      "etcd3: {hosts: '127.0.0.1:2379'}",
      "bootstrap:",
      "  dcs: {ttl: 30, loop_wait: 2, retry_timeout: 10}",
      "  initdb: [{encoding: UTF8}]",
      "postgresql:",
      "  listen: '127.0.0.1:5432'",
      "  connect_address: '127.0.0.1:5432'",
      "  data_dir: /var/lib/postgresql/data",
      `  bin_dir: ${pgBinDir}`,
      "  pgpass: /tmp/pgpass",
      "  authentication: {superuser: {username: postgres, password: x}, replication: {username: repl, password: x}}",
      "  parameters: {unix_socket_directories: /var/run/postgresql}",
      "  pg_hba: ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host replication repl 127.0.0.1/32 trust']",
    ].join("\n");
    const p = await start(
      "p",
      [
        `cat > /tmp/patroni.yml <<'EOF'\n${patroniYml}\nEOF`,
        etcdShell("p"),
        "until etcdctl endpoint health >/dev/null 2>&1; do sleep 0.2; done",
        "setpriv --reuid postgres --regid postgres --init-groups patroni /tmp/patroni.yml > /tmp/patroni.log 2>&1 &",
        DATE_LOOP,
        "wait",
      ].join("\n"),
    );
    await waitFor(
      "Patroni to run PostgreSQL as the leader",
      async () => /"role": ?"(master|primary)"/.test((await sh(p, "curl -s http://127.0.0.1:8008/patroni", "root", false)).stdout),
      120_000,
    );

    const log: string[] = [];
    const ctx = faultContext(miniLab({ p1: p }), log);
    // Forward: Patroni 3.0.2 schedules its HA loop (and its etcd3 lease refresh) with time.time(),
    // so a backward step of N s stalls its loop for ~N s (see the incident-1 scenarios) and its
    // log would go quiet; forward it only logs "Loop time exceeded" once.
    const fault = new ClockSkew({ targets: ["p1"], offsetMs: 40_000, processes: "all", id: `e2e${suffix}` });
    try {
      await fault.inject(ctx);
      const procs = await fault.probe(ctx.lab, "p1");
      const comms = new Set(procs.map((x) => x.comm));
      expect(comms.has("etcd") && comms.has("patroni") && comms.has("postgres"), JSON.stringify(procs)).toBe(true);
      for (const x of procs) expect(x.offsetSec, `${x.comm}[${x.pid}]`).toBe(40);

      // PostgreSQL: a new backend is forked from the skewed postmaster
      const pgNow = Number((await sh(p, "psql -h /var/run/postgresql -U postgres -Atc 'select extract(epoch from now())'", "postgres")).stdout);
      near(pgNow, hostNow() + 40, 2);
      // Patroni: its log lines (Python logging, time.time()) every loop_wait
      await new Promise((r) => setTimeout(r, 4500));
      const last = (await sh(p, "grep -E '^[0-9]{4}-' /tmp/patroni.log | tail -1")).stdout.trim();
      const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})/.exec(last);
      expect(m, last).not.toBeNull();
      const patroniT = Date.parse(`${m![1]}T${m![2]}.${m![3]}Z`) / 1000;
      expect(hostNow() + 40 - patroniT, last).toBeLessThan(4);
      expect(hostNow() + 40 - patroniT, last).toBeGreaterThan(-1);
      // the long-lived date in the same container is skewed too; the other container is not
      near(await lastDate(p), hostNow() + 40, 1.5);
      near(await lastDate(b), hostNow(), 1.5);
      // Patroni still leads and its member key is in the DCS
      expect((await sh(p, "curl -s http://127.0.0.1:8008/patroni")).stdout).toMatch(/"state": ?"running"/);

      await fault.update(ctx, { offsetMs: 25_000 });
      for (const x of await fault.probe(ctx.lab, "p1")) expect(x.offsetSec, `${x.comm}[${x.pid}]`).toBe(25);
      near(await lastDate(p), hostNow() + 25, 1.5);
    } finally {
      for (const t of fault.targets) await fault.heal(ctx, t);
    }
    for (const x of await fault.probe(ctx.lab, "p1")) expect(x.offsetSec, `${x.comm}[${x.pid}]`).toBeNull();
    near(await lastDate(p), hostNow(), 1.5);
    expect((await sh(p, `ls ${fault.pidFile} 2>/dev/null || echo gone`)).stdout.trim()).toBe("gone");
    for (const t of fault.targets) await fault.heal(ctx, t); // idempotent
    expect(log.join("\n")).toMatch(/wall clock \+40\.000 s on all processes/);
    expect(log.join("\n")).toMatch(/wall clock restored/);
    expect((await sh(p, "curl -s http://127.0.0.1:8008/patroni")).stdout).toMatch(/"role": ?"(master|primary)"/);
  });

  it("etcd's peer prober logs 'prober found high clock drift' on the member that is ahead, not on its peer", async () => {
    const netName = `pgchaos-clockshim-${suffix}`;
    network = await docker.createNetwork({ Name: netName, Labels: LABEL });
    const cluster = "m1=http://m1:2380,m2=http://m2:2380";
    const m1 = await start("m1", `${etcdShell("m1", cluster)}\nwait`, { network: netName, alias: "m1" });
    const m2 = await start("m2", `${etcdShell("m2", cluster)}\nwait`, { network: netName, alias: "m2" });
    await waitFor("a 2-member etcd cluster", async () => (await sh(m1, "etcdctl endpoint health --cluster", "root", false)).exitCode === 0, 60_000);

    const log: string[] = [];
    const ctx = faultContext(miniLab({ m1 }), log);
    const fault = new ClockSkew({ targets: ["m1"], offsetMs: 5_000, processes: "etcd", id: `drift${suffix}` });
    await fault.inject(ctx);
    try {
      // the prober compares clocks every 30 s
      await waitFor("the drift warning on m1", async () => (await sh(m1, "grep -c 'prober found high clock drift' /tmp/etcd.log", "root", false)).stdout.trim() !== "0", 75_000);
      const line = (await sh(m1, "grep 'prober found high clock drift' /tmp/etcd.log | tail -1")).stdout;
      const drift = JSON.parse(line)["clock-drift"] as string;
      expect(parseFloat(drift)).toBeGreaterThan(4.5);
      expect(parseFloat(drift)).toBeLessThan(5.5);
      expect((await sh(m2, "grep -c 'prober found high clock drift' /tmp/etcd.log", "root", false)).stdout.trim()).toBe("0");
    } finally {
      for (const t of fault.targets) await fault.heal(ctx, t);
    }
  });
});
