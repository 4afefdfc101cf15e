import path from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, expect, test } from "vitest";
import { docker, leftovers, waitForLine } from "./helpers.js";
import { LABEL_KIND, LABEL_RUN } from "../../src/lab/labels.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

const cli = path.resolve("dist/cli/main.js");

async function startUp(): Promise<{ p: ResultPromise; runId: string }> {
  const reports = tmp("pgchaos-reaper-");
  const p = execa("node", [cli, "up", "--etcd", "3", "--patroni", "1", "--reports", reports], { reject: false });
  const ready = await waitForLine(p, /pgchaos lab \S+ is ready/, 240_000);
  return { p, runId: /pgchaos lab (\S+) is ready/.exec(ready)![1] };
}

async function reaperOf(runId: string) {
  const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`, `${LABEL_KIND}=reaper`] });
  return docker.listContainers({ all: true, filters });
}

let started: string[] = [];
afterEach(async () => {
  // Whatever a failed test left: removed here so the next test starts clean.
  for (const runId of started) {
    const filters = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
    for (const c of await docker.listContainers({ all: true, filters })) await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
    for (const n of await docker.listNetworks({ filters })) await docker.getNetwork(n.Id).remove().catch(() => {});
  }
  started = [];
});

describe("the run's reaper", () => {
  test("after kill -9 of the harness mid-fault, the run's containers and network are gone within 10 s", async () => {
    const { p, runId } = await startUp();
    started.push(runId);
    const reaper = await reaperOf(runId);
    expect(reaper.map((c) => c.State)).toEqual(["running"]);
    const before = await leftovers(runId);
    expect(before.containers.length).toBe(3 + 1 + 1); // etcd, Patroni, the reaper
    expect(before.networks.length).toBe(1);

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
    let left = await leftovers(runId);
    while ((left.containers.length || left.networks.length) && Date.now() - t0 < 10_000) {
      await new Promise((res) => setTimeout(res, 250));
      left = await leftovers(runId);
    }
    const elapsed = Date.now() - t0;
    console.log(`reaper: run ${runId} removed ${elapsed} ms after SIGKILL (killed at ${new Date(t0).toISOString()})\n${reaperLog.join("\n")}`);
    expect(left).toEqual({ containers: [], networks: [] });
    expect(elapsed).toBeLessThan(10_000);
  });

  test("a normal stop removes the lab and the reaper with it", async () => {
    const { p, runId } = await startUp();
    started.push(runId);
    expect(await reaperOf(runId)).toHaveLength(1);
    p.kill("SIGINT");
    const r = await p;
    expect(r.exitCode, String(r.stderr).slice(-2000)).toBe(0);
    expect(String(r.stdout)).toContain("lab removed");
    expect(await leftovers(runId)).toEqual({ containers: [], networks: [] });
  });
});
