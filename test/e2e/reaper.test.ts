import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, expect, test } from "vitest";
import { docker, leftovers, waitForLine } from "./helpers.js";
import { LABEL_KIND, LABEL_RUN, LABEL_SESSION } from "../../src/lab/labels.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

const cli = path.resolve("dist/cli/main.js");

async function startUp(): Promise<{ p: ResultPromise; runId: string }> {
  const reports = tmp("pgchaos-reaper-");
  const p = execa("node", [cli, "up", "--etcd", "3", "--patroni", "1", "--reports", reports], { reject: false });
  const ready = await waitForLine(p, /pgchaos lab \S+ is ready/, 240_000);
  return { p, runId: /pgchaos lab (\S+) is ready/.exec(ready)![1] };
}

/** The session a run belongs to (its containers' label) and that session's reapers. */
async function sessionOf(runId: string): Promise<string> {
  const [c] = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] }) });
  return c.Labels[LABEL_SESSION];
}
async function reapersOf(session: string) {
  const filters = JSON.stringify({ label: [`${LABEL_SESSION}=${session}`, `${LABEL_KIND}=reaper`] });
  return docker.listContainers({ all: true, filters });
}
/** Everything of a session: its labs and its reaper. */
async function sessionLeftovers(session: string) {
  const filters = JSON.stringify({ label: [`${LABEL_SESSION}=${session}`] });
  return {
    containers: (await docker.listContainers({ all: true, filters })).map((c) => c.Names[0]),
    networks: (await docker.listNetworks({ filters })).map((n) => n.Name),
    volumes: ((await docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name),
  };
}

let started: string[] = [];
afterEach(async () => {
  // Whatever a failed test left: removed here so the next test starts clean.
  for (const session of started) {
    const filters = JSON.stringify({ label: [`${LABEL_SESSION}=${session}`] });
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => {});
    for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) await docker.getVolume(v.Name).remove().catch(() => {});
  }
  started = [];
});

describe("the session's reaper", () => {
  test("after kill -9 of the harness mid-fault, the run's containers and network are gone within 10 s", async () => {
    const { p, runId } = await startUp();
    const session = await sessionOf(runId);
    started.push(session);
    const reaper = await reapersOf(session);
    expect(reaper.map((c) => c.State)).toEqual(["running"]);
    const before = await leftovers(runId);
    // etcd, Patroni and the keeper of their data (the reaper is the session's).
    expect(before.containers.length).toBe(3 + 1 + 1);
    expect(before.networks.length).toBe(1);
    expect(before.volumes.length).toBe(3 + 1);

    // A fault in place: one etcd member frozen.
    const e1 = docker.getContainer(`pgchaos-${runId}-e1`);
    await e1.pause();
    expect((await e1.inspect()).State.Paused).toBe(true);

    // The reaper's own account of the removal (timestamps per phase), printed with the result.
    const reaperLog: string[] = [];
    const stream = (await docker.getContainer(reaper[0].Id).logs({ follow: true, stdout: true, stderr: true, timestamps: true })) as NodeJS.ReadableStream;
    stream.on("data", (d: Buffer) => reaperLog.push(d.toString("utf8").replace(/[\x00-\x08]/g, "").trim()));
    stream.on("error", () => {});

    const t0 = Date.now();
    p.kill("SIGKILL");
    const r = await p;
    expect(r.signal).toBe("SIGKILL");
    let left = await sessionLeftovers(session);
    while ((left.containers.length || left.networks.length || left.volumes.length) && Date.now() - t0 < 10_000) {
      await new Promise((res) => setTimeout(res, 250));
      left = await sessionLeftovers(session);
    }
    const elapsed = Date.now() - t0;
    console.log(`reaper: run ${runId} removed ${elapsed} ms after SIGKILL (killed at ${new Date(t0).toISOString()})\n${reaperLog.join("\n")}`);
    expect(left).toEqual({ containers: [], networks: [], volumes: [] });
    expect(elapsed).toBeLessThan(10_000);
  });

  test("a normal stop removes the lab and the reaper with it", async () => {
    const { p, runId } = await startUp();
    const session = await sessionOf(runId);
    started.push(session);
    expect(await reapersOf(session)).toHaveLength(1);
    p.kill("SIGINT");
    const r = await p;
    expect(r.exitCode, String(r.stderr).slice(-2000)).toBe(0);
    expect(String(r.stdout)).toContain("lab removed");
    expect(await sessionLeftovers(session)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("a game day at -j 2 has one reaper for both labs; kill -9 of pgchaos mid-fault removes both labs and the reaper", async () => {
    const reports = tmp("pgchaos-reaper-gameday-");
    const p = execa("node", [cli, "run", "test/fixtures/run/partition-then-wait.yaml", "--repeat", "2", "-j", "2", "--reports", reports], { reject: false, env: { PGCHAOS_QUIET: "0" } });
    const runIds: string[] = [];
    let faulted = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`both labs not in their fault within 300 s (${runIds.join(", ")})`)), 300_000);
      p.stderr!.on("data", (d: Buffer) => {
        for (const line of d.toString("utf8").split("\n")) {
          const net = /network pgchaos-(\S+) created/.exec(line);
          if (net) runIds.push(net[1]);
          if (/step 2\/2: sleep/.test(line)) faulted++;
        }
        if (faulted >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect(runIds).toHaveLength(2);
    const sessions = new Set(await Promise.all(runIds.map(sessionOf)));
    expect(sessions.size).toBe(1);
    const [session] = sessions;
    started.push(session);
    expect((await reapersOf(session)).map((c) => c.State)).toEqual(["running"]);

    const t0 = Date.now();
    p.kill("SIGKILL");
    expect((await p).signal).toBe("SIGKILL");
    // The labs' processes see their parent gone and heal and remove their labs; should they die
    // instead, the reaper removes what they leave. Either way nothing of the session stays.
    let left = await sessionLeftovers(session);
    while ((left.containers.length || left.networks.length || left.volumes.length) && Date.now() - t0 < 30_000) {
      await new Promise((res) => setTimeout(res, 250));
      left = await sessionLeftovers(session);
    }
    console.log(`reaper: game day session ${session} removed ${Date.now() - t0} ms after SIGKILL`);
    expect(left).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
