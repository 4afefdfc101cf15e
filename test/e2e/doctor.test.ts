import { describe, expect, test } from "vitest";
import { execa } from "execa";
import path from "node:path";
import { parseScenario } from "../../src/scenario/load.js";
import { runScenarioInput } from "../../src/runner/run-scenario.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { assertHarnessInvariants } from "./scenario-harness.js";
import { leftovers, quietProgress } from "./helpers.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

// Needs `npm run build` (the CLI is run from dist/, as in cli.test.ts).
const cli = path.resolve("dist/cli/main.js");

/** Each misconfiguration planted in turn in one lab; the doctor action after each. */
const PLANTED = `
name: doctor-planted
description: pgchaos doctor finds nothing in a healthy lab and finds each planted misconfiguration.
workload: { rate: 5 }
steps:
  - { id: healthy, action: doctor, expect_clean: true }
  - { id: wrong, fault: connect-address, targets: replica@start, points_to: leader@start, live: true }
  - id: sees-wrong
    action: doctor
    expect_findings: [api-url-mismatch, api-url-duplicate, candidate-lagging, lag-column-misleading]
  - heal: wrong
  - { id: wrong-restart, fault: connect-address, targets: replica@start, points_to: leader@start, live: false }
  - { id: sees-wrong-restart, action: doctor, expect_findings: [api-url-mismatch] }
  - heal: wrong-restart
  - { id: frozen, fault: etcd-pause, targets: [e3] }
  # If e3 was etcd's raft leader, e1 and e2 need an election before they serve reads again.
  - { expect: { etcd_healthy: { count: 2 } }, within: 20s }
  - { id: sees-frozen, action: doctor, expect_findings: [etcd-half-healthy] }
  - heal: frozen
  - { id: skew, fault: clock-skew, targets: [replica@start, e2], offset: 5s }
  - { id: sees-skew, action: doctor, expect_findings: [clock-offset] }
  - heal: skew
  - { id: healthy-again, action: doctor, expect_clean: true }
`;

describe("pgchaos doctor against a lab", () => {
  test("the doctor action: clean, then each planted misconfiguration found (wrong connect_address, frozen etcd member, skewed clocks), then clean", async () => {
    const input = toRunInput(parseScenario(PLANTED, "doctor-planted.yaml"));
    const reportsDir = tmp("pgchaos-doctor-");
    const r = await runScenarioInput(input, { reportsDir, timeScale: 1.5, progress: quietProgress });
    const byId = new Map(r.report.actions.map((a) => [a.id, a]));
    const summary = (id: string) => byId.get(id)?.body?.split("\n")[0];
    process.stderr.write(`  ${[...byId.keys()].map((id) => `${id}: ${byId.get(id)!.status} ${summary(id)}`).join("\n  ")}\n`);
    expect(r.report.steps.filter((s) => s.outcome !== "pass").map((s) => `${s.id}: ${s.detail}`)).toEqual([]);
    expect(byId.get("healthy")).toMatchObject({ ok: true, status: 0 });
    expect(summary("healthy")).toBe("no findings");
    expect(byId.get("sees-wrong")).toMatchObject({ ok: true, status: 1 });
    expect(summary("sees-wrong")).toMatch(/^findings: api-url-mismatch \(pg\d\), api-url-duplicate \(pg\d, pg\d\), candidate-lagging \(pg\d\), lag-column-misleading \(pg\d\)$/);
    expect(summary("sees-wrong-restart")).toMatch(/^findings: api-url-mismatch \(pg\d\)/);
    expect(summary("sees-frozen")).toBe("findings: etcd-half-healthy (http://e3:2379)");
    expect(summary("sees-skew")).toMatch(/clock-offset \(pg\d\)/);
    expect(summary("sees-skew")).toMatch(/clock-offset \(http:\/\/e2:2379\)/);
    expect(byId.get("healthy-again")).toMatchObject({ ok: true, status: 0 });
    // The body carries the doctor's table.
    expect(byId.get("sees-wrong")!.body).toMatch(/\nMembers\n {2}member +role +api_url +answers as/);
    await assertHarnessInvariants(input, r);
  });

  test("the CLI on a lab with unsafe timings (retry_timeout 30, ttl 10): --lab, table and --json, exit codes", async () => {
    const reportDir = tmp("pgchaos-doctor-lab-");
    const started = await startLab(clusterSpec({ etcd: { members: 3, preVote: false }, patroni: { nodes: 1 }, dcs: { ttl: 10, retry_timeout: 30 } }), {
      progress: quietProgress,
      reportDir,
    });
    const runId = started.lab.runId;
    try {
      const text = await execa("node", [cli, "doctor", "--lab", runId], { reject: false });
      process.stderr.write(`${text.stdout}\n`);
      expect(text.exitCode, text.stderr).toBe(1);
      expect(text.stdout).toContain("loop_wait + 2*retry_timeout = 62 > ttl");
      expect(text.stdout).toMatch(/ERROR +timing-rule +config: loop_wait \+ 2\*retry_timeout = 2 \+ 2\*30 = 62 > ttl 10/);
      expect(text.stdout).toMatch(/ERROR +etcd-request-timeout +config: Patroni waits 10\.0 s per etcd request \(retry_timeout 30 \/ 3 members\)/);
      const json = await execa("node", [cli, "doctor", "--lab", runId, "--json"], { reject: false });
      expect(json.exitCode).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report.findings.map((f: { code: string }) => f.code)).toEqual(["timing-rule", "etcd-request-timeout"]);
      expect(report.facts.settings.etcdTimeout).toEqual({ members: 3, membersTried: 3, perRequestSec: 10, triesPerMember: 1 });
      // --patroni: which member answers at a given REST address (routed through the lab's map).
      const extra = await execa("node", [cli, "doctor", "--lab", runId, "--patroni", "http://pg1:8008"], { reject: false });
      expect(extra.stdout).toMatch(/Patroni REST APIs given with --patroni\n.*\n {2}http:\/\/pg1:8008\/patroni +pg1 +primary/);
      // No such cluster: bad input, exit 2.
      const none = await execa("node", [cli, "doctor", "--lab", runId, "--scope", "nope"], { reject: false });
      expect(none.exitCode).toBe(2);
      expect(none.stdout + none.stderr).toMatch(/no keys under \/service\/nope\//);
    } finally {
      await started.dispose();
    }
    expect(await leftovers(runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("the CLI without a cluster: bad input and unreachable etcd exit 2; a saved snapshot replays", async () => {
    const noEtcd = await execa("node", [cli, "doctor"], { reject: false });
    expect(noEtcd.exitCode).toBe(2);
    expect(noEtcd.stderr).toMatch(/give --etcd/);
    const badResolve = await execa("node", [cli, "doctor", "--etcd", "http://127.0.0.1:9", "--resolve", "pg1=1.2.3.4:5"], { reject: false });
    expect(badResolve.exitCode).toBe(2);
    expect(badResolve.stderr).toMatch(/port on both sides/);
    const badUrl = await execa("node", [cli, "doctor", "--etcd", "e1:2379"], { reject: false });
    expect(badUrl.exitCode).toBe(2);
    const down = await execa("node", [cli, "doctor", "--etcd", "http://127.0.0.1:9", "--timeout", "500ms"], { reject: false });
    expect(down.exitCode).toBe(2);
    expect(down.stdout).toMatch(/no etcd endpoint served a linearizable read/);
    const replay = await execa("node", [cli, "doctor", "--replay", "src/doctor/fixtures/wrong-address-leader.json"], { reject: false });
    expect(replay.exitCode).toBe(1);
    expect(replay.stdout).toMatch(/api-url-mismatch +pg1: pg1's api_url http:\/\/pg2:8008\/patroni reaches pg2's REST API/);
    const clean = await execa("node", [cli, "doctor", "--replay", "src/doctor/fixtures/healthy.json", "--json"], { reject: false });
    expect(clean.exitCode).toBe(0);
    expect(JSON.parse(clean.stdout).findings).toEqual([]);
  });
});
