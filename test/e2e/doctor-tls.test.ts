import { describe, expect, test } from "vitest";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { etcd3Client, etcdHttp, patroniRest, dcsPrefix } from "../../src/lab/lab-clients.js";
import { EtcdHttp } from "../../src/clients/etcd-http.js";
import { PatroniRest } from "../../src/clients/patroni-rest.js";
import { ETCD_CLIENT_PORT } from "../../src/lab/etcd-command.js";
import { PATRONI_REST_PORT } from "../../src/lab/patroni-config.js";
import { leftovers, quietProgress } from "./helpers.js";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { errorText } from "../../src/util/errors.js";

describe("a lab with TLS and authentication (topology.security)", () => {
  test("etcd over https with client certificates and v3 auth, Patroni's REST API over https: the harness's clients reach both; clients without them do not", async () => {
    const reportDir = await mkdtemp(path.join(tmpdir(), "pgchaos-tls-lab-"));
    const started = await startLab(clusterSpec({ etcd: { members: 3, preVote: false }, patroni: { nodes: 2 }, haproxy: true, security: { tls: true, auth: true } }), {
      progress: quietProgress,
      reportDir,
    });
    const { lab } = started;
    try {
      // The harness's clients: the recorder's samplers, the actions, the watch recorder.
      const kvs = await etcdHttp(lab, "e2").range(dcsPrefix(lab));
      expect(kvs.map((k) => k.key)).toContain(`${dcsPrefix(lab)}leader`);
      const leader = kvs.find((k) => k.key.endsWith("/leader"))!.value;
      const st = await patroniRest(lab, leader).status();
      expect(st.status).toBe(200);
      expect(st.body?.role).toMatch(/primary|master/);
      const members = kvs.filter((k) => k.key.includes("/members/")).map((k) => JSON.parse(k.value).api_url);
      expect(members.every((u: string) => u.startsWith("https://"))).toBe(true);
      const grpc = etcd3Client(lab, "e3", { retries: false });
      try {
        expect(await grpc.get(`${dcsPrefix(lab)}leader`).string()).toBe(leader);
      } finally {
        grpc.close();
      }
      // Without the CA, the client certificate, or credentials, etcd and Patroni refuse.
      const e1 = lab.node("e1").endpoint(ETCD_CLIENT_PORT);
      const plain = await new EtcdHttp(`http://${e1.host}:${e1.port}`).range(dcsPrefix(lab)).then(() => "answered", (e) => errorText(e));
      expect(plain).not.toBe("answered");
      const noCert = await new EtcdHttp(`https://${e1.host}:${e1.port}`, { tls: { ca: lab.tls!.ca, servername: "e1" } }).range(dcsPrefix(lab)).then(() => "answered", (e) => errorText(e));
      expect(noCert).not.toBe("answered");
      const noAuth = await new EtcdHttp(`https://${e1.host}:${e1.port}`, { tls: { ca: lab.tls!.ca, cert: lab.tls!.client.cert, key: lab.tls!.client.key, servername: "e1" } })
        .range(dcsPrefix(lab))
        .then(() => "answered", (e) => errorText(e));
      expect(noAuth).toMatch(/permission denied|user name is empty|401|403/);
      const p = lab.node(leader).endpoint(PATRONI_REST_PORT);
      const untrusted = await new PatroniRest(`https://${p.host}:${p.port}`).status().then(() => "answered", (e) => errorText(e));
      expect(untrusted).toMatch(/certificate/);
      const noBasic = await new PatroniRest(`https://${p.host}:${p.port}`, undefined, { ca: lab.tls!.ca, servername: leader }).post("/restart", {}, 5000);
      expect(noBasic.status).toBe(401);
    } finally {
      await started.dispose();
    }
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [] });
  });
});
