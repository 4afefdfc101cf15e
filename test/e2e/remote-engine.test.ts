import { afterAll, beforeAll, describe, expect, test } from "vitest";
import net from "node:net";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { docker, leftovers } from "./helpers.js";
import { readJournal } from "../../src/report/journal.js";
import { isLocalAddress } from "../../src/engine/docker-engine.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

/*
 * A run with a DCS proxy fault, the engine reached over TCP (DOCKER_HOST=tcp://...), as with a
 * remote engine: a local port forwarded to the engine's unix socket by this test process (no
 * host install). The lab's Patroni nodes must reach the proxy on the lab network, never a
 * listener on the machine pgchaos runs on.
 */

const cli = path.resolve("dist/cli/main.js");
const SOCKET = "/var/run/docker.sock";

const SCENARIO = `name: remote-engine-dcs-latency
description: A DCS proxy fault with the engine reached over TCP (test/e2e/remote-engine.test.ts).
topology: { etcd: 1, patroni: 2 }
workload: { rate: 5 }
settle: 20s
invariants: [single-primary, no-acked-write-lost]
steps:
  - id: slow
    fault: dcs-latency
    targets: [pg2]
    latency: 200ms
    requests: [range, lease-keepalive, put, txn]
  - sleep: 6s
  - heal: slow
  - expect: { streaming: { node: all } }
    within: 30s
`;

let forwarder: net.Server;
let port = 0;
let forwarded = 0;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  forwarder = net.createServer((client) => {
    forwarded++;
    const engine = net.connect(SOCKET);
    sockets.add(client).add(engine);
    client.pipe(engine).pipe(client);
    const end = () => {
      client.destroy();
      engine.destroy();
    };
    client.on("error", end).on("close", end);
    engine.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, "127.0.0.1", resolve));
  port = (forwarder.address() as net.AddressInfo).port;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => forwarder.close(() => resolve()));
});

describe("a remote Docker engine (DOCKER_HOST over TCP)", () => {
  test("a DCS proxy fault is applied and healed through the proxy container on the lab network; Patroni uses no host listener", async () => {
    const dir = tmp("pgchaos-remote-");
    const file = path.join(dir, "remote-engine-dcs-latency.yaml");
    await writeFile(file, SCENARIO);
    const reports = path.join(dir, "reports");

    // What the engine did, seen on the real socket while the run goes through the forwarder.
    const events: { Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }[] = [];
    const stream = (await docker.getEvents({ filters: { type: ["container", "network"] } })) as NodeJS.ReadableStream & { destroy(): void };
    let buf = "";
    stream.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
    });

    const before = forwarded;
    const env = { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}`, TESTCONTAINERS_RYUK_DISABLED: "true" };
    const r = await execa("node", [cli, "run", file, "--reports", reports], { reject: false, env });
    stream.destroy();
    expect(r.exitCode, r.stderr.slice(-3000) + r.stdout.slice(-2000)).toBe(0);
    expect(forwarded - before, "the run reached the engine over TCP").toBeGreaterThan(0);

    const [gameDay] = (await readdir(reports)).filter((d) => !d.includes("."));
    const runDir = path.join(reports, gameDay, "remote-engine-dcs-latency");
    const report = JSON.parse(await readFile(path.join(runDir, "report.json"), "utf8"));
    expect(report.outcome).toBe("pass");
    const verdicts = Object.fromEntries((report.verdicts as { checker: string; ok: boolean }[]).map((v) => [v.checker, v.ok]));
    expect(verdicts).toMatchObject({ "faults-healed": true, "lab-teardown": true });

    // The fault went through the proxy: applied, then healed, with the proxy's own record of it.
    const journal = readJournal(path.join(runDir, "journal.jsonl"));
    const faults = journal.events.filter((e) => e.kind === "fault");
    expect(faults.map((f) => `${f.phase}:${f.id}:${f.ok}`)).toEqual(["inject:slow:true", "heal:slow:true"]);
    const proxyEvents = journal.events.filter((e) => e.kind === "dcs-proxy");
    const on = proxyEvents.find((e) => e.action === "toxic-on" && e.node === "pg2");
    const off = proxyEvents.find((e) => e.action === "toxic-off" && e.node === "pg2");
    expect(on, "toxic-on recorded").toBeDefined();
    expect(off, "toxic-off recorded").toBeDefined();
    expect(off!.t).toBeGreaterThan(on!.t);
    expect(off!.matched, "the delayed requests went through the proxy").toBeGreaterThan(0);

    // The proxy container ran on the lab network (and nowhere else) ...
    const created = events.find((e) => e.Type === "container" && e.Action === "create" && e.Actor.Attributes["pgchaos.node"] === "dcs-proxy" && e.Actor.Attributes["pgchaos.run"] === report.runId);
    expect(created, "the dcs-proxy container was created").toBeDefined();
    const joined = events.filter((e) => e.Type === "network" && e.Action === "connect" && e.Actor.Attributes.container === created!.Actor.ID).map((e) => e.Actor.Attributes.name);
    expect(joined).toEqual([`pgchaos-${report.runId}`]);

    // ... and Patroni's DCS addresses are the proxy container's, none of this machine's.
    const routes = (await readFile(path.join(runDir, "logs", "dcs-proxy.log"), "utf8")).split("\n").filter((l) => / route pg\d -> e\d at /.test(l));
    expect(routes).toHaveLength(2);
    for (const l of routes) {
      const ip = / at ([\d.]+):\d+$/.exec(l)![1];
      expect(isLocalAddress(ip), `${ip} is an address of the machine pgchaos runs on`).toBe(false);
    }
    expect(await leftovers(report.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 600_000);
});
