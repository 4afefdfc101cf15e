/**
 * Stacks: a lab on the trixie stack comes up and its report's versions are read from the image
 * (Patroni 4.0.7, PostgreSQL 17, etcd 3.5.16 per Debian trixie); a scenario whose `requires:`
 * the stack does not meet is reported as skipped without a container; an unknown stack and an
 * image that misses the contract are clear errors before any container starts.
 * The trixie image is built on first use (minutes): `pgchaos image --stack trixie` beforehand.
 */
import { describe, expect, test } from "vitest";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { docker, leftovers, quietProgress } from "./helpers.js";
import { newRunId } from "../../src/lab/run-id.js";
import { parseScenario } from "../../src/scenario/load.js";
import { toRunInput } from "../../src/runner/run-input.js";
import { runScenarioInput as runScenario } from "../../src/runner/run-scenario.js";
import { startLab } from "../../src/lab/start-lab.js";
import { clusterSpec } from "../../src/lab/topology.js";
import { UserFacingError } from "../../src/util/errors.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

const scenario = (extra: string) =>
  toRunInput(
    parseScenario(
      `name: stack-smoke
description: a lab comes up, takes writes for a few seconds and is judged
${extra}
topology: { etcd: 3, patroni: 2 }
steps:
  - expect: { streaming: { node: all } }
    within: 60s
  - sleep: 3s
`,
      "stack-smoke.yaml",
    ),
  );

describe("stacks", () => {
  test("trixie: the lab comes up and the report's versions are the image's (4.0.7 / 17 / 3.5.16)", async () => {
    const reportsDir = tmp("pgchaos-stack-");
    const { report, dir } = await runScenario(scenario(""), { reportsDir, timeScale: 1, progress: quietProgress, stack: "trixie" });
    expect(report.error).toBeUndefined();
    expect(report.outcome).toBe("pass");
    expect(report.versions.stack).toBe("trixie");
    expect(report.versions.patroni).toBe("4.0.7");
    expect(report.versions.postgresql).toMatch(/^17\.\d+/);
    expect(report.versions.etcd).toBe("3.5.16");
    expect(report.versions.image).toMatch(/^pgchaos-lab:trixie-[0-9a-f]{12}$/);
    // The same versions are the image's labels, recorded when it was built.
    const labels = (await docker.getImage(report.versions.image!).inspect()).Config.Labels;
    expect(labels["pgchaos.version.patroni"]).toBe("4.0.7");
    expect(labels["pgchaos.pg-bin-dir"]).toBe("/usr/lib/postgresql/17/bin");
    // Patroni ran PostgreSQL 17 from the bin directory read from the image.
    const pgLog = await readFile(path.join(dir, "logs", "pg1.log"), "utf8");
    expect(pgLog).not.toMatch(/postgresql\/15\/bin/);
    expect(await readFile(path.join(dir, "report.md"), "utf8")).toMatch(/\| 17\.\d+[^|]*\| 4\.0\.7 \| 3\.5\.16 \|/);
    expect(await leftovers(report.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("a scenario whose requires: the stack does not meet is skipped, with the reason, and starts no container", async () => {
    const reportsDir = tmp("pgchaos-stack-");
    const events: string[] = [];
    const { report } = await runScenario(scenario(`requires: { patroni: "<4.0" }`), {
      reportsDir,
      timeScale: 1,
      progress: (l) => events.push(l),
      stack: "trixie",
    });
    expect(report.outcome).toBe("skipped");
    expect(report.skipped).toBe("requires patroni <4.0; this lab runs patroni 4.0.7");
    expect(report.verdicts).toEqual([]);
    expect(events.some((l) => /starting lab/.test(l))).toBe(false);
    const summary = await readFile(path.join(reportsDir, "stack-smoke", "junit.xml"), "utf8");
    expect(summary).toContain(`<skipped message="requires patroni &lt;4.0; this lab runs patroni 4.0.7"/>`);
  });

  test("an unknown stack and an image that misses the contract are clear errors before any container starts", async () => {
    const reportDir = tmp("pgchaos-stack-");
    // Run ids of our own: other e2e files may run labs at the same time.
    const runIds = [newRunId(), newRunId()];
    await expect(startLab(clusterSpec(), { progress: quietProgress, reportDir, stack: "buster", runId: runIds[0] })).rejects.toThrow(
      new UserFacingError("unknown stack 'buster'; known stacks: bookworm (Debian 12, the default), trixie (Debian 13), sid (Debian unstable, no HAProxy package)"),
    );
    // The base image pgchaos built its lab from: Debian, without PostgreSQL, Patroni or etcd.
    const base = (await docker.listImages({ filters: JSON.stringify({ reference: ["pgchaos-base"] }) }))[0]?.RepoTags?.[0];
    expect(base, "a pgchaos-base image is present (made when the lab image was built)").toBeTruthy();
    const err = await startLab(clusterSpec(), { progress: quietProgress, reportDir, image: base!, runId: runIds[1] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserFacingError);
    const msg = (err as Error).message;
    expect(msg).toContain(`image ${base} does not meet pgchaos's image contract (docs/image-contract.md); it lacks:`);
    expect(msg).toContain("command patroni on PATH");
    expect(msg).toContain("command etcd on PATH");
    expect(msg).toContain("a PostgreSQL bin directory");
    expect(msg).toContain("executable /usr/local/bin/pgchaos-supervise");
    expect(msg).toContain("user postgres");
    for (const id of runIds) expect(await leftovers(id)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
