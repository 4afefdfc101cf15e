import { describe, expect, test } from "vitest";
import { execa } from "execa";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { leftovers } from "./helpers.js";
import type { Summary } from "../../src/report/write.js";
import { tempDirs } from "../temp-dirs.js";

const tmp = tempDirs();

const cli = path.resolve("dist/cli/main.js");

// One short scenario on two stacks with one command: each stack's run reports the versions read
// from its image, and the comparison (compare.md / compare.json) has a column per stack. The
// scenario asks for ttl 10, which Patroni 4 raises to 20 (it logs so): the comparison explains
// that difference on trixie from the run's own log lines, and not on bookworm (Patroni 3.0.2
// keeps 10). The trixie image is built on first use (stacks.test.ts builds it too).
const SCENARIO = `name: matrix-smoke
description: a lab on each stack, streaming, then a moment of record (test/e2e/matrix.test.ts)
topology: { etcd: 1, patroni: 2 }
patroni: { ttl: 10, loop_wait: 2, retry_timeout: 4 }
workload: { rate: 5 }
invariants: [single-primary, no-acked-write-lost]
steps:
  - expect: { streaming: { node: all } }
    within: 60s
  - sleep: 3s
`;

describe("a game day over two stacks (run --stack bookworm,trixie)", () => {
  test("one command, a run per stack with its image's versions, and a comparison explaining what differs", async () => {
    const dir = tmp("pgchaos-matrix-e2e-");
    const file = path.join(dir, "matrix-smoke.yaml");
    await writeFile(file, SCENARIO);
    const reports = path.join(dir, "reports");
    const r = await execa("node", [cli, "run", file, "--stack", "bookworm,trixie", "-j", "1", "--reports", reports, "--json"], {
      reject: false,
      env: { TESTCONTAINERS_RYUK_DISABLED: "true" },
    });
    const summary = JSON.parse(r.stdout) as Summary;
    expect(summary.runs.map((x) => x.scenario).sort()).toEqual(["matrix-smoke", "matrix-smoke"]);
    expect(summary.runs.map((x) => x.versions?.stack).sort()).toEqual(["bookworm", "trixie"]);
    expect(summary.runs.find((x) => x.versions?.stack === "bookworm")?.versions?.patroni).toBe("3.0.2");
    expect(summary.runs.find((x) => x.versions?.stack === "trixie")?.versions?.patroni).toBe("4.0.7");
    // The exit code follows the recorded outcomes (whatever Patroni did).
    expect(r.exitCode).toBe(summary.runs.some((x) => x.outcome === "error") ? 2 : summary.runs.some((x) => x.outcome === "fail") ? 1 : 0);

    const [gameDay] = await readdir(reports);
    const compare = JSON.parse(await readFile(path.join(reports, gameDay, "compare.json"), "utf8")) as {
      sides: { label: string; versions: string }[];
      rows: { scenario: string; cells: { outcome: string; explanations?: string[] }[] }[];
    };
    expect(compare.sides.map((s) => s.label)).toEqual(["bookworm", "trixie"]);
    expect(compare.sides[0].versions).toMatch(/Patroni 3\.0\.2, PostgreSQL 15\.\d+, etcd 3\.4\.\d+/);
    expect(compare.sides[1].versions).toMatch(/Patroni 4\.0\.7, PostgreSQL 17\.\d+, etcd 3\.5\.\d+/);
    const [row] = compare.rows;
    expect(row.scenario).toBe("matrix-smoke");
    expect(row.cells).toHaveLength(2);
    const raisedTtl = (c: { explanations?: string[] }) => (c.explanations ?? []).some((e) => /Patroni raised ttl from the scenario's 10 to 20/.test(e));
    expect(raisedTtl(row.cells[0])).toBe(false);
    expect(raisedTtl(row.cells[1])).toBe(true);
    const md = await readFile(path.join(reports, gameDay, "compare.md"), "utf8");
    expect(md).toContain("| scenario | bookworm | trixie |");
    expect(md).toMatch(/\| matrix-smoke \|/);
    for (const x of summary.runs) expect(await leftovers(x.runId)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
