import { describe, expect, test } from "vitest";
import path from "node:path";
import { docker, leftovers, quietProgress } from "./helpers.js";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { pgConnect } from "../../src/clients/pg.js";
import { LABEL_RUN } from "../../src/lab/labels.js";
import { haproxyTarget, readHaproxyRoutes, waitHaproxyPrimary } from "../../src/lab/haproxy.js";
import { History } from "../../src/history/history.js";
import { Recorder } from "../../src/recorder/recorder.js";
import { Writer, writeSequence } from "../../src/workload/writer.js";
import { writeTarget } from "../../src/history/primary.js";
import type { DcsEndpointSample, HaproxySample, WriteOp } from "../../src/history/events.js";
import { monoMs, sleep } from "../../src/util/time.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

// HAProxy as the client path: it routes port 5000 to the node the recorder sees as primary and
// port 5001 to the replicas, its statistics are sampled, and the workload writes through it
// (recording which server answered) while a direct writer runs alongside.
describe("haproxy", () => {
  test("routes to the primary the recorder sees, is sampled, and carries the workload", async () => {
    const reportDir = tmp("pgchaos-haproxy-");
    const started = await startLab(clusterSpec({ haproxy: true }), { progress: quietProgress, reportDir });
    const { lab, ready } = started;
    const origin = monoMs();
    const now = () => Math.round(monoMs() - origin);
    const history = new History();
    const recorder = new Recorder(lab, history, now);
    try {
      const hp = lab.node("haproxy");
      expect(hp.kind).toBe("haproxy");
      const info = await docker.getContainer(hp.containerId).inspect();
      expect(info.Config.Labels[LABEL_RUN]).toBe(lab.runId);
      expect(info.Config.Hostname).toBe("haproxy");
      expect(info.HostConfig.Privileged).toBe(false);
      // HAProxy runs under the container's supervisor, master-worker, in the foreground.
      const ps = await lab.exec("haproxy", ["sh", "-c", "ps -eo args"]);
      expect(ps.stdout).toContain("pgchaos-supervise haproxy -- haproxy -W -db -f /etc/haproxy/haproxy.cfg");

      await waitHaproxyPrimary(lab, ready.leader, 30_000);
      const replicas = lab
        .patroniNodes()
        .map((n) => n.name)
        .filter((n) => n !== ready.leader);
      // rise 2: the replicas' checks may need another second or two.
      for (let i = 0; i < 40 && (await readHaproxyRoutes(lab)).replicas.length < replicas.length; i++) await sleep(250);
      expect(await readHaproxyRoutes(lab)).toMatchObject({ primary: [ready.leader], replicas: replicas });

      // Port 5000 reaches the leader's PostgreSQL, read-write; port 5001 a replica, in recovery.
      const ipOf = (ip: string) => lab.patroniNodes().find((n) => n.ip === ip)?.name;
      const p = await pgConnect(haproxyTarget(lab, "primary"), { connectTimeoutMs: 3000, queryTimeoutMs: 3000 });
      const pr = (await p.query("select host(inet_server_addr()) as a, pg_is_in_recovery() as r")).rows[0];
      await p.end();
      expect({ node: ipOf(pr.a), recovery: pr.r }).toEqual({ node: ready.leader, recovery: false });
      const r = await pgConnect(haproxyTarget(lab, "replicas"), { connectTimeoutMs: 3000, queryTimeoutMs: 3000 });
      const rr = (await r.query("select host(inet_server_addr()) as a, pg_is_in_recovery() as r")).rows[0];
      await r.end();
      expect(replicas).toContain(ipOf(rr.a));
      expect(rr.r).toBe(true);

      // The recorder samples HAProxy (and each node's etcd endpoint); writes go through HAProxy
      // and directly, numbered from one shared sequence.
      await Writer.prepare(lab, ready.leader);
      recorder.start();
      await sleep(1000); // the direct writer follows the primary the recorder has seen
      const sequence = writeSequence();
      const viaHaproxy = new Writer(lab, history, now, { rate: 10, timeoutMs: 2000, via: "haproxy", haproxy: haproxyTarget(lab), sequence });
      const direct = new Writer(lab, history, now, { rate: 10, timeoutMs: 2000, via: "direct", sequence });
      viaHaproxy.start();
      direct.start();
      // Until each writer has 20 writes (about 2 s at rate 10; longer when the machine is
      // loaded, since a writer has one write in flight at a time), at most 30 s.
      const count = (via: string) => history.of("write").filter((w) => (w as WriteOp).via === via).length;
      const t0 = monoMs();
      while ((count("haproxy") <= 20 || count("direct") <= 20) && monoMs() - t0 < 30_000) await sleep(250);
      await sleep(1000);
      await Promise.all([viaHaproxy.stop(), direct.stop()]);
      await recorder.stop();

      const samples = history.of("haproxy") as HaproxySample[];
      expect(samples.length).toBeGreaterThanOrEqual(8); // every 300 ms
      for (const s of samples) {
        expect(s.error).toBeUndefined();
        // HAProxy's primary is the node the recorder sees as primary at that moment.
        const seen = (writeTarget(History.from(history.all().filter((e) => e.t <= s.t)), lab.patroniNodes().map((n) => n.name)) ?? null);
        if (seen) expect(s.primary).toEqual([seen]);
      }
      const gaps = samples.slice(1).map((s, i) => s.t - samples[i].t);
      expect(Math.max(...gaps)).toBeLessThan(1500);

      const writes = history.of("write") as WriteOp[];
      const hw = writes.filter((w) => w.via === "haproxy");
      const dw = writes.filter((w) => w.via === "direct");
      expect(hw.length).toBeGreaterThan(20);
      expect(dw.length).toBeGreaterThan(20);
      // Through HAProxy the write records the server that answered (inet_server_addr).
      expect(hw.filter((w) => w.outcome !== "ok" || w.node !== ready.leader)).toEqual([]);
      expect(dw.filter((w) => w.outcome !== "ok" || w.node !== ready.leader)).toEqual([]);
      const seqs = writes.map((w) => w.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      const c = await pgConnect({ ...haproxyTarget(lab), password: lab.secrets.superuserPassword }, { queryTimeoutMs: 3000 });
      const rows = (await c.query("select count(*)::int as n from pgchaos_writes")).rows[0].n;
      await c.end();
      expect(rows).toBe(writes.length);

      // Each Patroni node's current etcd member is one of the members.
      const eps = history.of("dcs-endpoint") as DcsEndpointSample[];
      for (const n of lab.patroniNodes()) {
        const mine = eps.filter((e) => e.node === n.name);
        expect(mine.length, `dcs-endpoint samples of ${n.name}`).toBeGreaterThanOrEqual(4);
        const last = mine[mine.length - 1];
        expect(last.error).toBeUndefined();
        expect(["e1", "e2", "e3"]).toContain(last.current);
      }
    } finally {
      await recorder.stop();
      await started.dispose();
    }
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
