import { describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { tempDirs } from "../../test/temp-dirs.js";
import path from "node:path";
import { buildReport, type RunReport } from "./model.js";
import { judge } from "../runner/judge.js";
import { knownIssuesFileSchema, type KnownIssue } from "../known-issues/schema.js";
import { cleanRun } from "../../test/fixtures/histories/scenarios.js";
import type { HistoryEvent } from "../history/events.js";
import { buildSummary, renderSummaryMarkdown, writeIndex } from "./write.js";
import { gameDayColumns, upgradeDelta, upstreamBugTable } from "./upstream-bugs.js";
import { compareReports, renderComparisonMarkdown } from "../compare/compare.js";
import { matrixComparison, writeMatrix } from "../gameday/matrix.js";

const tmp = tempDirs();

const bookworm = { patroni: "3.0.2", postgresql: "15.14 (Debian 15.14-0+deb12u1)", etcd: "3.4.23", stack: "bookworm" };
const trixie = { patroni: "4.0.7", postgresql: "17.12 (Debian 17.12-0+deb13u1)", etcd: "3.5.16", stack: "trixie" };
const sid = { patroni: "4.1.5", postgresql: "18.1 (Debian 18.1-1)", etcd: "3.5.16", stack: "sid" };

/** Two entries as known-issues/patroni.yaml writes them: one fixed in 3.0.3, one never fixed. */
const issues: KnownIssue[] = knownIssuesFileSchema.parse({
  known_issues: [
    {
      id: "leader-race",
      scenario: "quorum-loss",
      summary: "two primaries when quorum returns",
      covers: { steps: ["recovered"] },
      versions: { patroni: "<3.0.3" },
      fixed_in: { patroni: "3.0.3" },
      reference: "https://github.com/patroni/patroni/pull/2689",
      evidence: [{ matches: "promoted self to leader by acquiring session lock" }],
    },
    {
      id: "lease-reacquired",
      scenario: "backward-jump",
      summary: "the lease is taken again at once",
      covers: { steps: ["recovered"] },
      versions: { patroni: ">=3.0.0 <=4.1.5" },
      evidence: [{ matches: "acquired session lock as a leader" }],
    },
  ],
}).known_issues;

/**
 * A run of `scenario` judged by the real checkers and the real known-issue matcher: its step
 * `recovered` passes or fails; `log` lines are put into its record.
 */
function run(scenario: string, versions: RunReport["versions"], o: { recovered: "pass" | "fail"; log?: string; error?: string; skipped?: string; reach?: boolean; n?: number }): RunReport {
  const steps: HistoryEvent[] =
    o.reach === false
      ? []
      : [
          { kind: "step", t: 500, index: 0, id: "recovered", type: "expect", phase: "start", text: "expect leader within 20s" },
          { kind: "step", t: 900, index: 0, id: "recovered", type: "expect", phase: "end", text: "expect leader within 20s", outcome: o.recovered, ...(o.recovered === "fail" ? { detail: "no leader" } : {}) },
        ];
  const logs: HistoryEvent[] = o.log ? [{ kind: "log", t: 700, node: "pg1", line: o.log }] : [];
  const events = [...cleanRun().events, ...steps, ...logs];
  const j = judge({
    events,
    invariants: [{ name: "no-acked-write-lost", options: {} }] as never,
    scenario: { name: scenario, patroni: { retry_timeout: 4, loop_wait: 2 } },
    knownIssues: issues,
    versions,
  });
  return buildReport({
    runId: `${scenario}-${versions.stack}-${o.n ?? 1}`,
    scenario: { name: scenario },
    startedAt: "2026-12-01T00:00:00.000Z",
    endedAt: "2026-12-01T00:01:00.000Z",
    origin: "2026-12-01T00:00:00.000Z",
    versions,
    events,
    verdicts: j.verdicts,
    knownIssues: j.knownIssues,
    ...(o.error ? { error: o.error } : {}),
    ...(o.skipped ? { skipped: o.skipped } : {}),
  });
}

/** An entry Patroni documents (what happens without a watchdog): present on every stack, never a bug an upgrade keeps. */
const noWatchdog: KnownIssue = knownIssuesFileSchema.parse({
  known_issues: [
    {
      id: "no-watchdog-frozen",
      scenario: "frozen",
      kind: "documented",
      summary: "a frozen Patroni keeps its primary writable",
      covers: { steps: ["recovered"] },
      versions: { patroni: ">=1.0.0" },
      evidence: [{ matches: "demoting self because I do not have the lock" }],
    },
  ],
}).known_issues[0];

const RACE = "2026-12-01 00:00:01 INFO: promoted self to leader by acquiring session lock";
const LEASE = "2026-12-01 00:00:01 INFO: acquired session lock as a leader";

describe("documented behaviours (kind: documented)", () => {
  it("are listed apart from the bugs, and no upgrade removes, keeps or brings them", () => {
    issues.push(noWatchdog);
    try {
      const DEMOTE = "2026-12-01 00:00:01 INFO: demoting self because I do not have the lock and I was a leader";
      const reports = [run("frozen", bookworm, { recovered: "fail", log: DEMOTE }), run("quorum-loss", bookworm, { recovered: "fail", log: RACE }), run("frozen", trixie, { recovered: "fail", log: DEMOTE }), run("quorum-loss", trixie, { recovered: "pass" })];
      expect(reports.map((r) => r.outcome)).toEqual(["known", "known", "known", "pass"]);
      const t = upstreamBugTable(gameDayColumns(reports, ["bookworm", "trixie"]));
      expect(t.rows.map((r) => [r.id, r.documented ?? false, r.cells.map((c) => c.state)])).toEqual([
        ["no-watchdog-frozen", true, ["present", "present"]],
        ["leader-race", false, ["present", "absent"]],
      ]);
      const d = upgradeDelta(t, 0, 1);
      expect([d.removes.map((r) => r.id), d.keeps, d.brings]).toEqual([["leader-race"], [], []]);
      const md = renderSummaryMarkdown(reports, { stacks: ["bookworm", "trixie"] });
      const bugsTable = md.slice(md.indexOf("## Upstream bugs by stack"), md.indexOf("### Documented behaviours"));
      expect(bugsTable).toContain("**leader-race**");
      expect(bugsTable).not.toContain("no-watchdog-frozen");
      expect(md.slice(md.indexOf("### Documented behaviours"))).toMatch(/\*\*no-watchdog-frozen\*\* \(frozen\)/);
    } finally {
      issues.pop();
    }
  });

  it("a documented behaviour has no fix release", () => {
    const r = knownIssuesFileSchema.safeParse({ known_issues: [{ ...noWatchdog, fixed_in: { patroni: "4.2.0" } }] });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("has no fix release");
  });
});

describe("the upgrade table", () => {
  // quorum-loss: the race on 3.0.2 (known), passes on 4.0.7, not run on sid.
  // backward-jump: shows on 3.0.2 and 4.1.5, fails without its evidence on 4.0.7.
  const reports = [
    run("quorum-loss", bookworm, { recovered: "fail", log: RACE }),
    run("backward-jump", bookworm, { recovered: "fail", log: LEASE }),
    run("quorum-loss", trixie, { recovered: "pass" }),
    run("backward-jump", trixie, { recovered: "fail" }),
    run("backward-jump", sid, { recovered: "fail", log: LEASE }),
  ];

  it("a row per known-issue entry, a column per stack: present with the matched lines, absent, undecided, not run here", () => {
    expect(reports.map((r) => r.outcome)).toEqual(["known", "known", "pass", "fail", "known"]);
    const t = upstreamBugTable(gameDayColumns(reports, ["bookworm", "trixie", "sid"]));
    expect(t.columns.map((c) => c.label)).toEqual(["bookworm", "trixie", "sid"]);
    expect(t.columns[1].versions).toBe("Patroni 4.0.7, PostgreSQL 17.12, etcd 3.5.16");
    expect(t.rows.map((r) => [r.id, r.scenario])).toEqual([
      ["lease-reacquired", "backward-jump"],
      ["leader-race", "quorum-loss"],
    ]);
    const race = t.rows[1];
    expect(race.fixedIn).toEqual({ patroni: "3.0.3" });
    expect(race.reference).toBe("https://github.com/patroni/patroni/pull/2689");
    expect(race.cells.map((c) => c.state)).toEqual(["present", "absent", "not-run"]);
    expect(race.cells[0].evidence).toEqual([`pg1 +0.7s: ${RACE}`]);
    // Outside the entry's range: the fix, not luck.
    expect(race.cells[1]).toMatchObject({ state: "absent", inRange: false, runs: 1, showed: 0 });
    const lease = t.rows[0];
    expect(lease.cells.map((c) => c.state)).toEqual(["present", "undecided", "present"]);
    expect(lease.cells[1].why).toBe("step:recovered failed without the issue's evidence (another cause)");
  });

  it("an absence within the entry's range is told apart, and a run that errored or never reached the covered step decides nothing", () => {
    const t = upstreamBugTable(
      gameDayColumns([
        run("backward-jump", bookworm, { recovered: "pass" }),
        run("backward-jump", trixie, { recovered: "pass", reach: false, error: "lab did not start" }),
        run("backward-jump", sid, { recovered: "pass", skipped: "requires patroni >=5" }),
      ]),
    );
    const [lease] = t.rows;
    expect(lease.cells.map((c) => c.state)).toEqual(["absent", "undecided", "not-run"]);
    expect(lease.cells[0]).toMatchObject({ inRange: true, why: "step:recovered passed" });
    expect(lease.cells[1].why).toBe("the run errored: lab did not start");
    expect(lease.cells[2].why).toBe("skipped: requires patroni >=5");
  });

  it("repeated runs on one stack: present if any showed it, with the count", () => {
    const t = upstreamBugTable(
      gameDayColumns([
        run("quorum-loss", bookworm, { recovered: "pass", n: 1 }),
        run("quorum-loss", bookworm, { recovered: "fail", log: RACE, n: 2 }),
        run("quorum-loss", bookworm, { recovered: "pass", n: 3 }),
      ]),
    );
    expect(t.rows[0].cells).toEqual([expect.objectContaining({ state: "present", runs: 3, showed: 1, inRange: true })]);
  });

  it("an upgrade removes a bug present before and absent after, keeps one present on both", () => {
    const t = upstreamBugTable(gameDayColumns(reports, ["bookworm", "trixie", "sid"]));
    expect(upgradeDelta(t, 0, 1)).toEqual({
      from: "bookworm",
      to: "trixie",
      removes: [{ id: "leader-race", stillInRange: false, fixedIn: { patroni: "3.0.3" } }],
      keeps: [],
      brings: [],
      unknown: ["lease-reacquired"],
    });
    expect(upgradeDelta(t, 0, 2)).toMatchObject({ removes: [], keeps: ["lease-reacquired"], unknown: ["leader-race"] });
    expect(upgradeDelta(t, 2, 0)).toMatchObject({ brings: ["leader-race"], keeps: ["lease-reacquired"] });
  });

  it("summary.json gains upstreamBugs and upgrades, its other fields unchanged; summary.md and index.html show the table", async () => {
    const plain = buildSummary(reports);
    const withStacks = buildSummary(reports, { stacks: ["bookworm", "trixie", "sid"] });
    expect({ ...withStacks, upstreamBugs: undefined, upgrades: undefined }).toEqual({ ...plain, upstreamBugs: undefined, upgrades: undefined });
    expect(withStacks.upstreamBugs?.rows.map((r) => r.cells.map((c) => c.state))).toEqual([
      ["present", "undecided", "present"],
      ["present", "absent", "not-run"],
    ]);
    expect(withStacks.upgrades?.map((u) => `${u.from}>${u.to}`)).toEqual(["bookworm>trixie", "trixie>sid"]);
    // Without known issues nothing is added.
    expect(buildSummary([run("steady", bookworm, { recovered: "pass" })]).upstreamBugs).toBeUndefined();

    const md = renderSummaryMarkdown(reports, { stacks: ["bookworm", "trixie", "sid"] });
    expect(md).toContain("## Upstream bugs by stack");
    expect(md).toMatch(/\| \*\*leader-race\*\* \(quorum-loss\)<br>known on Patroni <3\.0\.3<br>fixed in Patroni 3\.0\.3<br>https:\/\/github\.com\/patroni\/patroni\/pull\/2689 \| 🐞 present: pg1 \+0\.7s: .*promoted self to leader.* \| ✅ absent \(outside Patroni <3\.0\.3; fixed in Patroni 3\.0\.3\) \| ⏭️ not run here \|/);
    expect(md).toContain("### Upgrading bookworm → trixie\n\n- removes: leader-race (fixed in Patroni 3.0.3)\n- keeps: none");

    const dir = tmp("pgchaos-bugs-");
    const written = await writeIndex(dir, reports, { stacks: ["bookworm", "trixie", "sid"] });
    const html = await readFile(written.indexHtml, "utf8");
    expect(html).toContain('<section id="upstream-bugs">');
    expect(html).toMatch(/<tr data-bug="leader-race">.*<td class="bug-present" data-state="present">.*<td class="bug-absent" data-state="absent">.*<td class="bug-not-run" data-state="not-run"><b>not run here<\/b><\/td><\/tr>/s);
    const json = JSON.parse(await readFile(written.summaryJson, "utf8"));
    expect(json.upstreamBugs.rows[1].cells[0].evidence).toEqual([`pg1 +0.7s: ${RACE}`]);
    // The matrix's comparison keeps the upgrades but does not print the table twice in summary.md.
    await writeMatrix(dir, written, matrixComparison(["bookworm", "trixie", "sid"], reports.map((r) => ({ stack: r.versions.stack, report: r }))));
    const summaryMd = await readFile(written.summaryMarkdown, "utf8");
    expect(summaryMd.match(/Upstream bugs/g)).toHaveLength(1);
    expect(summaryMd.match(/### Upgrading bookworm → trixie/g)).toHaveLength(2);
  });

  it("pgchaos compare of two game days names what the upgrade removes and keeps", () => {
    const a = reports.filter((r) => r.versions.stack === "bookworm");
    const b = reports.filter((r) => r.versions.stack === "sid");
    const c = compareReports([
      { label: "gd-3.0.2", reports: a },
      { label: "gd-4.1.5", reports: b },
    ]);
    expect(c.upgrades).toEqual([{ from: "gd-3.0.2", to: "gd-4.1.5", removes: [], keeps: ["lease-reacquired"], brings: [], unknown: ["leader-race"] }]);
    const md = renderComparisonMarkdown(c);
    expect(md).toContain("## Upstream bugs");
    expect(md).toContain("- keeps: lease-reacquired");
    expect(md).toContain("- not decided on gd-4.1.5 (undecided or not run): leader-race");
  });
});
