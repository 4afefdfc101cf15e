import { describe, expect, test } from "vitest";
import path from "node:path";
import { leftovers, quietProgress } from "./helpers.js";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { dcsPrefix, etcdHttp } from "../../src/lab/lab-clients.js";
import { EtcdDnsBreak } from "../../src/faults/etcd-dns-break/etcd-dns-break.js";
import type { FaultContext } from "../../src/faults/fault.js";
import { History } from "../../src/history/history.js";
import { DcsEndpointSampler } from "../../src/recorder/dcs-endpoint-sampler.js";
import type { DcsEndpointSample } from "../../src/history/events.js";
import { monoMs, sleep } from "../../src/util/time.js";
import { errorText } from "../../src/util/errors.js";
import { httpJson } from "../../src/clients/http.js";
import { ETCD_CLIENT_PORT } from "../../src/lab/etcd-command.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

/** A member's raft term (from any v3 response header). */
async function raftTerm(lab: Parameters<typeof etcdHttp>[0], member: string): Promise<number> {
  const { host, port } = lab.node(member).endpoint(ETCD_CLIENT_PORT);
  const r = await httpJson<{ header?: { raft_term?: string } }>(`http://${host}:${port}/v3/maintenance/status`, { method: "POST", body: {}, timeoutMs: 3000 });
  return Number(r.body?.header?.raft_term);
}

/** A read through one member: how long it took and what came back. */
async function read(lab: Parameters<typeof etcdHttp>[0], member: string, serializable: boolean, timeoutMs = 15_000) {
  const t0 = monoMs();
  try {
    await etcdHttp(lab, member).range(dcsPrefix(lab), { serializable, timeoutMs });
    return { ok: true, ms: monoMs() - t0, error: "" };
  } catch (e) {
    return { ok: false, ms: monoMs() - t0, error: errorText(e) };
  }
}

// The etcd-dns-break fault (incident 2), checked on real etcd members: while it is active the
// isolated member accepts clients but cannot serve a linearizable read (it times out, about 7 s
// in etcd 3.4) while a serializable read answers at once; the healthy members answer both;
// heal restores name resolution and peer traffic, and both reads answer again.
describe("etcd-dns-break", () => {
  test("isolates one member from its peers while it keeps serving clients, and heals", async () => {
    const reportDir = tmp("pgchaos-dns-");
    // pre_vote on: checks that it reaches etcd's command line. One Patroni node is enough.
    const spec = clusterSpec({ patroni: { nodes: 1 }, etcd: { members: 3, preVote: true } });
    const started = await startLab(spec, { progress: quietProgress, reportDir });
    const { lab } = started;
    const history = new History();
    const origin = monoMs();
    const log: string[] = [];
    const ctx: FaultContext = { lab, history, now: () => Math.round(monoMs() - origin), log: (m) => log.push(m) };
    try {
      const cmdline = await lab.exec("e3", ["sh", "-c", "tr '\\0' ' ' < /proc/$(pgrep -x etcd)/cmdline"]);
      expect(cmdline.stdout).toContain("--pre-vote=true");
      const original = {
        resolv: (await lab.exec("e3", ["cat", "/etc/resolv.conf"])).stdout,
        hosts: (await lab.exec("e3", ["cat", "/etc/hosts"])).stdout,
      };
      expect((await lab.exec("e3", ["getent", "hosts", "e1"], { check: false })).exitCode).toBe(0);
      expect(await read(lab, "e3", false)).toMatchObject({ ok: true });

      const termBefore = await raftTerm(lab, "e1");
      const fault = new EtcdDnsBreak(["e3"], "cut");
      expect(fault.type).toBe("etcd-dns-break");
      await fault.inject(ctx);
      // Injecting twice is harmless (the originals are saved once).
      await fault.inject(ctx);
      expect(log[0]).toMatch(/^e3: name resolution broken/);

      // e3 no longer resolves its peers, and its peer connections are gone.
      expect((await lab.exec("e3", ["getent", "hosts", "e1"], { check: false })).exitCode).not.toBe(0);
      expect((await lab.exec("e3", ["getent", "hosts", "e2"], { check: false })).exitCode).not.toBe(0);
      expect((await lab.exec("e3", ["cat", "/etc/resolv.conf"])).stdout).toContain("nameserver 192.0.2.53");
      // No peer connection is left open on e3, in either direction, once inject returns;
      // the peers' ends were reset too (they see none to e3).
      const peerConns = async (node: string, filter: string) =>
        (await lab.exec(node, ["sh", "-c", `ss -tnH state established '( ${filter} )' | wc -l`])).stdout.trim();
      expect(await peerConns("e3", "dport = :2380 or sport = :2380")).toBe("0");
      const e3Ip = lab.etcdNodes().find((n) => n.name === "e3")!.ip;
      for (const m of ["e1", "e2"]) expect(await peerConns(m, `dst ${e3Ip}`), `${m}'s connections to e3`).toBe("0");

      // Through e3: a linearizable read times out in etcd (about 7 s), a serializable one answers at once.
      const lin = await read(lab, "e3", false);
      expect(lin.ok).toBe(false);
      expect(lin.error).toMatch(/request timed out|no leader|deadline/);
      expect(lin.ms).toBeGreaterThan(3000);
      expect(lin.ms).toBeLessThan(14_000);
      const ser = await read(lab, "e3", true);
      expect(ser.ok, ser.error).toBe(true);
      expect(ser.ms).toBeLessThan(2000);
      expect(await etcdHttp(lab, "e3").health(3000).catch(() => false)).toBe(false);
      process.stderr.write(`  through the isolated member: linearizable read failed after ${(lin.ms / 1000).toFixed(1)} s (${lin.error}); serializable answered in ${ser.ms.toFixed(0)} ms\n`);

      // Through a healthy member both answer (e1 and e2 keep quorum; a new raft leader if e3 led).
      for (const m of ["e1", "e2"]) {
        let l = await read(lab, m, false, 5000);
        for (let i = 0; i < 10 && !l.ok; i++) {
          await sleep(500);
          l = await read(lab, m, false, 5000);
        }
        expect(l.ok, `${m}: ${l.error}`).toBe(true);
        expect(l.ms).toBeLessThan(2000);
        expect((await read(lab, m, true)).ok).toBe(true);
      }

      for (const t of fault.targets) await fault.heal(ctx, t);
      for (const t of fault.targets) await fault.heal(ctx, t); // idempotent
      expect((await lab.exec("e3", ["cat", "/etc/resolv.conf"])).stdout).toBe(original.resolv);
      expect((await lab.exec("e3", ["cat", "/etc/hosts"])).stdout).toBe(original.hosts);
      expect((await lab.exec("e3", ["sh", "-c", "iptables -S | grep -c PGCHAOS || true"])).stdout.trim()).toBe("0");
      expect((await lab.exec("e3", ["getent", "hosts", "e1"], { check: false })).exitCode).toBe(0);
      // Both reads answer through e3 again once it has rejoined.
      const t0 = monoMs();
      let healed = await read(lab, "e3", false, 3000);
      while (!healed.ok && monoMs() - t0 < 30_000) {
        await sleep(500);
        healed = await read(lab, "e3", false, 3000);
      }
      expect(healed.ok, healed.error).toBe(true);
      expect((await read(lab, "e3", true)).ok).toBe(true);
      // With pre-vote the isolated member never raised its term, so healing forces no election
      // (at most one, when e3 led at the start and e1/e2 elected a new leader).
      const termAfter = await raftTerm(lab, "e1");
      process.stderr.write(
        `  after heal: e3 served a linearizable read again after ${((monoMs() - t0) / 1000).toFixed(1)} s; raft term ${termBefore} -> ${termAfter} (pre-vote on)\n`,
      );
      expect(termAfter - termBefore).toBeLessThanOrEqual(2);

      // The DCS endpoint sampler's view (its program kept running in the container, asked
      // twice) agrees with ss in the container.
      const sampler = new DcsEndpointSampler(lab, "pg1");
      try {
        for (let i = 0; i < 2; i++) {
          await sampler.sample(ctx.now, history);
          const s = history.latest("dcs-endpoint") as DcsEndpointSample;
          expect(s.error).toBeUndefined();
          const inside = await lab.exec("pg1", ["ss", "-tnH", "state", "established", "( dport = :2379 )"]);
          const peers = inside.stdout.split("\n").filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).pop()!.replace(/^\[?(::ffff:)?/i, "").replace(/\]?:\d+$/, ""));
          const byIp = new Map(lab.etcdNodes().map((n) => [n.ip, n.name]));
          expect(s.etcd).toEqual([...new Set(peers.map((ip) => byIp.get(ip) ?? ip))].sort());
          expect(["e1", "e2", "e3"]).toContain(s.current);
        }
      } finally {
        sampler.close();
      }
    } finally {
      await started.dispose();
    }
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
