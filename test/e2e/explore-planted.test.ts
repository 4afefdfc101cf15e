// `pgchaos explore` end to end (issue 22): a bug planted in Patroni is found, on the same seed
// that finds nothing on the image as shipped.
//
// The planted bug, one line added at the top of Ha.demote() in the lab image's patroni/ha.py:
//
//   if mode in ('offline', 'immediate-nolock') and <the last cluster seen names this node leader>: return
//
// 'offline' is how a primary that cannot reach the DCS demotes (_handle_dcs_error), and
// 'immediate-nolock' how one that failed to update its leader lock does (process_healthy_cluster).
// With the line, a primary cut off from etcd keeps running as a writable primary: its leader key
// expires after ttl, a replica takes the lock and promotes, and two nodes accept writes: what
// single-primary forbids. Once it sees etcd again, the cluster it loads names the new leader, so
// the guard no longer holds and it steps down (the line keeps the rest of Patroni's behaviour).
//
// The seed and options are chosen so that the very first schedule hits it: the leader's traffic to
// etcd (and its REST API, and etcd peers) is cut for 24 s, with ttl 16, while replication (5432)
// stays up, so the unmutated Patroni demotes within retry_timeout and loses no write.
import { describe, expect, test } from "vitest";
import { execa } from "execa";
import { createHash } from "node:crypto";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { docker, quietProgress } from "./helpers.js";
import { buildImage, imageExists } from "../../src/image/lab-image.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();
const cli = path.resolve("dist/cli/main.js");

const MARK = "pgchaos planted bug";
const GUARD = `        if mode in ('offline', 'immediate-nolock') and getattr(getattr(self.cluster, 'leader', None), 'name', None) == self.state_handler.name: return  # ${MARK}`;
const DOCKERFILE = `ARG BASE
FROM \${BASE}
RUN f=$(python3 -c 'import patroni.ha as m; print(m.__file__)') \\
 && sed -i "s/^    def demote(self, mode):\\$/&\\n${GUARD}/" "$f" \\
 && grep -q '${MARK}' "$f" && python3 -m py_compile "$f"
`;

/** The lab image with the planted bug, built once per lab image and Dockerfile. */
async function plantedImage(base: string): Promise<string> {
  const tag = `pgchaos-planted:${createHash("sha256").update(base).update(DOCKERFILE).digest("hex").slice(0, 12)}`;
  if (await imageExists(docker, tag)) return tag;
  const dir = tmp("pgchaos-planted-");
  await writeFile(path.join(dir, "Dockerfile"), DOCKERFILE);
  await buildImage(docker, tag, { context: dir, src: ["Dockerfile"] }, { buildargs: { BASE: base }, labels: { "pgchaos.test": "explore-planted" } }, quietProgress);
  return tag;
}

const SEED = "3361";
/** One schedule of one partition; one rerun for the rate and one shrink run keep it to three labs. */
const exploreArgs = (out: string) => ["explore", "--faults", "partition", "--actions", "none", "--max-steps", "1", "--seed", SEED, "--runs", "1", "--reruns", "1", "--shrink-runs", "1", "-j", "1", "--out", out];

async function explore(out: string, image?: string) {
  const r = await execa("node", [cli, ...exploreArgs(out), ...(image ? ["--image", image] : [])], { reject: false, env: { PGCHAOS_QUIET: "0" } });
  quietProgress(r.stderr);
  const findings = JSON.parse(await readFile(path.join(out, "findings.json"), "utf8")) as {
    findings: { signature: { key: string; failures: string[] }; rate?: { reproduced: number; runs: number }; minimal?: { signature: { key: string }; runs: number; stopped: string } }[];
  };
  return { r, findings: findings.findings };
}

describe("pgchaos explore finds a bug planted in Patroni", () => {
  test("a primary that does not demote without the DCS: a single-primary finding on the planted image, none on the image as shipped", async () => {
    const planted = await plantedImage(process.env.PGCHAOS_IMAGE!);
    // One lab at a time: the e2e files may run two at once.
    const clean = await explore(tmp("pgchaos-explore-clean-"));
    expect(clean.r.exitCode, clean.r.stderr.slice(-4000)).toBe(0);
    expect(clean.findings).toEqual([]);

    const out = tmp("pgchaos-explore-planted-");
    const bug = await explore(out, planted);
    expect(bug.r.exitCode, bug.r.stderr.slice(-4000)).toBe(1);
    expect(bug.r.stdout).toContain(`image ${planted}`);
    expect(bug.findings).toHaveLength(1);
    const [f] = bug.findings;
    expect(f.signature.failures).toContain("checker:single-primary");
    expect(f.rate?.runs).toBe(1);
    // The shrink kept to its budget, and the minimal schedule is a scenario like any other.
    expect(f.minimal?.runs).toBeLessThanOrEqual(1);
    const dir = path.join(out, "findings", f.minimal!.signature.key);
    expect((await readdir(dir)).sort()).toEqual(expect.arrayContaining(["README.md", "finding.json", "minimal.yaml", "original.yaml"]));
    const minimal = YAML.parse(await readFile(path.join(dir, "minimal.yaml"), "utf8")) as { steps: Record<string, unknown>[] };
    expect(minimal.steps.filter((s) => s.fault === "partition")).toHaveLength(1);
    // The schedule's first run is a run like `pgchaos run`'s, on the planted image.
    const report = JSON.parse(await readFile(path.join(out, "runs", `explore-${SEED}-0`, "report.json"), "utf8")) as { outcome: string; verdicts: { name: string; ok?: boolean; outcome?: string }[] };
    expect(report.outcome).toBe("fail");
  });
});
