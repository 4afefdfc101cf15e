import { describe, expect, test } from "vitest";
import path from "node:path";
import { docker, leftovers, quietProgress } from "./helpers.js";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { pgConnect } from "../../src/clients/pg.js";
import { pgTarget } from "../../src/lab/lab-clients.js";
import { LABEL_RUN } from "../../src/lab/labels.js";
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
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [] });
  });
});
