import { describe, expect, test } from "vitest";
import path from "node:path";
import { docker, leftovers, quietProgress } from "./helpers.js";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { pgConnect } from "../../src/clients/pg.js";
import { pgTarget } from "../../src/lab/lab-clients.js";
import { LABEL_KIND, LABEL_RUN } from "../../src/lab/labels.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

describe("lab", () => {
  test("a 3 etcd + 3 Patroni cluster comes up with a leader and two streaming replicas, and leaves nothing behind", async () => {
    const reportDir = tmp("pgchaos-lab-");
    const started = await startLab(clusterSpec(), { progress: quietProgress, reportDir });
    const { lab, ready } = started;
    try {
      expect(lab.etcdNodes().map((n) => n.name)).toEqual(["e1", "e2", "e3"]);
      expect(lab.patroniNodes().map((n) => n.name)).toEqual(["pg1", "pg2", "pg3"]);
      expect(ready.etcdSec).toBeLessThanOrEqual(ready.leaderSec);
      expect(ready.leaderSec).toBeLessThanOrEqual(ready.replicasSec);

      // The leader's own view: two replicas streaming, named after the other nodes.
      const c = await pgConnect(pgTarget(lab, ready.leader));
      const r = await c.query("select application_name, state from pg_stat_replication order by 1");
      await c.end();
      expect(r.rows).toEqual(
        lab
          .patroniNodes()
          .map((n) => n.name)
          .filter((n) => n !== ready.leader)
          .map((n) => ({ application_name: n, state: "streaming" })),
      );

      // Hostnames equal node names; labels carry the run id; no privileged container, NET_ADMIN only.
      for (const n of lab.nodes) {
        const info = await docker.getContainer(n.containerId).inspect();
        expect(info.Config.Hostname).toBe(n.name);
        expect(info.Config.Labels[LABEL_RUN]).toBe(lab.runId);
        expect(info.HostConfig.Privileged).toBe(false);
        expect(info.HostConfig.CapAdd).toEqual(["NET_ADMIN"]);
        const hostname = await lab.exec(n.name, ["hostname"]);
        expect(hostname.stdout.trim()).toBe(n.name);
      }
      // Credentials are generated per run and differ from each other.
      expect(new Set(Object.values(lab.secrets)).size).toBe(3);
    } finally {
      await started.dispose();
    }
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("data directories are in memory, and survive their container's stop and start", async () => {
    // No container-stop planned (keepDataWhileStopped unset): the first stop starts the keeper.
    const started = await startLab(clusterSpec({ etcd: { members: 1, preVote: false }, patroni: { nodes: 1 } }), { progress: quietProgress, reportDir: tmp("pgchaos-lab-") });
    const { lab } = started;
    try {
      const dataOf = { e1: "/var/lib/etcd", pg1: "/var/lib/postgresql" } as const;
      for (const [n, dir] of Object.entries(dataOf)) {
        expect((await lab.exec(n, ["stat", "-f", "-c", "%T", dir])).stdout.trim(), `${n}: ${dir}`).toBe("tmpfs");
      }
      const sysid = async () => (await lab.exec("pg1", ["sh", "-c", `${lab.spec.pgBinDir}/pg_controldata /var/lib/postgresql/data | grep 'system identifier'`])).stdout.trim();
      const before = await sysid();
      expect(before).toMatch(/\d{10,}/);
      await lab.exec("pg1", ["sh", "-c", "echo kept > /var/lib/postgresql/data/pgchaos-marker"]);
      await lab.exec("e1", ["sh", "-c", "echo kept > /var/lib/etcd/pgchaos-marker"]);
      await Promise.all([lab.stop("pg1", 2), lab.stop("e1", 2)]);
      const keeper = (await docker.listContainers({ filters: JSON.stringify({ label: [`${LABEL_RUN}=${lab.runId}`, `${LABEL_KIND}=keeper`] }) }))[0];
      expect(keeper?.State).toBe("running");
      await Promise.all([lab.start("pg1"), lab.start("e1")]);
      expect((await lab.exec("pg1", ["cat", "/var/lib/postgresql/data/pgchaos-marker"])).stdout.trim()).toBe("kept");
      expect((await lab.exec("e1", ["cat", "/var/lib/etcd/pgchaos-marker"])).stdout.trim()).toBe("kept");
      // The same cluster, not a new bootstrap into an empty directory.
      expect(await sysid()).toBe(before);
    } finally {
      await started.dispose();
    }
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
