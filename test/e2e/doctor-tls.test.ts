import { describe, expect, test } from "vitest";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { etcd3Client, etcdHttp, patroniRest, dcsPrefix } from "../../src/lab/lab-clients.js";
import { EtcdHttp } from "../../src/clients/etcd-http.js";
import { PatroniRest } from "../../src/clients/patroni-rest.js";
import { ETCD_CLIENT_PORT } from "../../src/lab/etcd-command.js";
import { PATRONI_REST_PORT } from "../../src/lab/patroni-config.js";
import { leftovers, quietProgress } from "./helpers.js";
import { writeFile } from "node:fs/promises";
import { execa } from "execa";
import path from "node:path";
import { errorText } from "../../src/util/errors.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

describe("a lab with TLS and authentication (topology.security)", () => {
  test("etcd over https with client certificates and v3 auth, Patroni's REST API over https: the harness's clients reach both; clients without them do not", async () => {
    const reportDir = tmp("pgchaos-tls-lab-");
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

      // pgchaos doctor (from dist/, as doctor.test.ts runs it) with the flags a production cluster needs.
      const cli = path.resolve("dist/cli/main.js");
      const dir = tmp("pgchaos-tls-creds-");
      const file = async (n: string, s: string) => (await writeFile(path.join(dir, n), s, { mode: 0o600 }), path.join(dir, n));
      const [ca, cert, key, pw] = await Promise.all([file("ca.pem", lab.tls!.ca), file("client.pem", lab.tls!.client.cert), file("client-key.pem", lab.tls!.client.key), file("etcd-pw", lab.secrets.etcdRootPassword!)]);
      const flags = ["--etcd-cacert", ca, "--etcd-cert", cert, "--etcd-key", key, "--etcd-user", "root", "--etcd-password-file", pw, "--patroni-cacert", ca];
      const ok = await execa("node", [cli, "doctor", "--lab", lab.runId, ...flags, "--json"], { reject: false });
      process.stderr.write(`${ok.stdout.slice(0, 2000)}\n${ok.stderr}\n`);
      const report = JSON.parse(ok.stdout);
      expect(report.error).toBeUndefined();
      expect(report.facts).toBeDefined();
      expect(report.findings.map((f: { code: string }) => f.code)).toEqual([]);
      expect(ok.exitCode).toBe(0);
      // Without the CA: exit 2, one clear line saying what to give, no stack trace.
      const noCa = await execa("node", [cli, "doctor", "--lab", lab.runId], { reject: false });
      expect(noCa.exitCode).toBe(2);
      expect(noCa.stdout + noCa.stderr).toMatch(/--etcd-cacert/);
      expect(noCa.stdout + noCa.stderr).not.toMatch(/\n\s+at /);
      // With the CA and certificate but no credentials: exit 2, says etcd has authentication on.
      const noAuthCli = await execa("node", [cli, "doctor", "--lab", lab.runId, ...flags.slice(0, 6)], { reject: false });
      expect(noAuthCli.exitCode).toBe(2);
      expect(noAuthCli.stdout + noAuthCli.stderr).toMatch(/authentication on: give --etcd-user/);
      // A missing file: one line.
      const missing = await execa("node", [cli, "doctor", "--lab", lab.runId, "--etcd-cacert", path.join(dir, "nope.pem")], { reject: false });
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr.trim()).toMatch(/^pgchaos: pgchaos doctor: --etcd-cacert \S+nope\.pem: ENOENT[^\n]*$/);
    } finally {
      await started.dispose();
    }
    expect(await leftovers(lab.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
