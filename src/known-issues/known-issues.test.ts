import { describe, expect, it } from "vitest";
import path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { tempDirs } from "../../test/temp-dirs.js";
import { reportCommand } from "../cli/commands/report.js";
import { readJournal } from "../report/journal.js";
import { buildReport } from "../report/model.js";
import { judge } from "../runner/judge.js";
import type { HistoryEvent } from "../history/events.js";
import { ScenarioError } from "../scenario/errors.js";
import { parseScenario } from "../scenario/load.js";
import { loadKnownIssues, parseKnownIssues, SHIPPED_KNOWN_ISSUES_FILE } from "./load.js";

const tmp = tempDirs();
import { checkRanges, inRange } from "../versions/range.js";
import { failuresOf, matchKnownIssues } from "./match.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RACE = path.join(ROOT, "test/fixtures/histories/recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl");
const quorum = parseScenario(readFileSync(path.join(ROOT, "scenarios/etcd-quorum-loss-failsafe-off.yaml"), "utf8"), "scenarios/etcd-quorum-loss-failsafe-off.yaml");
const shipped = loadKnownIssues();

/** Judge a recorded history of the quorum-loss scenario the way the runner does, and build its report. */
function reportOf(events: readonly HistoryEvent[], versions: { patroni: string; postgresql?: string; etcd?: string }) {
  const v = { postgresql: "15.5", etcd: "3.5.9", ...versions };
  const j = judge({ events, invariants: quorum.invariants, scenario: { name: quorum.name, patroni: quorum.patroni }, knownIssues: shipped, versions: v });
  return buildReport({ runId: "r", scenario: { name: quorum.name }, startedAt: "2026-11-22T02:47:09.602Z", endedAt: "2026-11-22T02:50:00.000Z", origin: "2026-11-22T02:47:09.602Z", versions: v, events, verdicts: j.verdicts, findings: j.findings, knownIssues: j.knownIssues });
}

describe("version ranges", () => {
  it("reads the lab's version strings and checks semver ranges", () => {
    expect(inRange("3.0.2", ">=3.0.0 <3.1.0")).toBe(true);
    expect(inRange("3.1.0", ">=3.0.0 <3.1.0")).toBe(false);
    expect(inRange("15.5 (Debian 15.5-0+deb12u1)", "^15")).toBe(true);
    expect(inRange("unknown", "*")).toBe(false);
    expect(checkRanges({ patroni: "3.0.x", etcd: ">=3.5" }, { patroni: "3.0.2", etcd: "3.4.1" })).toEqual({ ok: false, mismatches: ["etcd 3.4.1 is outside >=3.5"], matches: ["patroni 3.0.2 is in 3.0.x"] });
  });
});

describe("known issues file", () => {
  it("the shipped file loads and names shipped scenarios", () => {
    expect(shipped.map((k) => k.id)).toEqual(
      expect.arrayContaining(["quorum-return-leader-race", "backward-jump-lease-reacquired", "dns-break-stuck-on-isolated-member"]),
    );
    expect(SHIPPED_KNOWN_ISSUES_FILE.endsWith(path.join("known-issues", "patroni.yaml"))).toBe(true);
    // A shipped scenario, one of the upstream-bug corpus (scenarios/upstream/) or of what explore found (scenarios/explored/).
    const fileOf = (name: string) => ["", "upstream", "explored"].map((d) => path.join(ROOT, "scenarios", d, `${name}.yaml`)).find((f) => existsSync(f)) ?? `scenarios/${name}.yaml`;
    for (const k of shipped) expect(readFileSync(fileOf(k.scenario!), "utf8")).toContain(`name: ${k.scenario}`);
  });

  it("a bad entry is an error with file, line, column and what is allowed", () => {
    const text = "known_issues:\n  - id: x\n    scenario: s\n    summary: s\n    covers: { steps: [a] }\n    versions: { patroni: 'not a range' }\n    evidence: [{ matches: '(' }]\n    colour: red\n";
    let err: unknown;
    try {
      parseKnownIssues(text, "k.yaml");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const msg = (err as Error).message;
    expect(msg).toContain("k.yaml:6:26: known_issues[0].versions.patroni: invalid version range");
    expect(msg).toContain("k.yaml:7:27: known_issues[0].evidence[0].matches: invalid regular expression");
    expect(msg).toMatch(/k\.yaml:8:5: known_issues\[0\]\.colour: unknown key 'colour'; allowed: id, summary, scenario, covers/);
  });

  it("fixed_in names the first release without the issue: a release outside the issue's versions", () => {
    const entry = (fixed: string) =>
      `known_issues:\n  - id: x\n    scenario: s\n    summary: s\n    covers: { steps: [a] }\n    versions: { patroni: '<3.0.3' }\n    fixed_in: ${fixed}\n    evidence: [{ matches: 'y' }]\n`;
    expect(parseKnownIssues(entry("{ patroni: 3.0.3 }"), "k.yaml")[0].fixed_in).toEqual({ patroni: "3.0.3" });
    expect(() => parseKnownIssues(entry("{ patroni: 3.0.2 }"), "k.yaml")).toThrow('k.yaml:7:26: known_issues[0].fixed_in.patroni: fixed_in patroni 3.0.2 lies inside versions.patroni "<3.0.3": the issue is known there');
    expect(() => parseKnownIssues(entry("{ patroni: '3.0' }"), "k.yaml")).toThrow(/fixed_in\.patroni: invalid version "3\.0": a release such as "3\.0\.3"/);
    expect(() => parseKnownIssues(entry("{}"), "k.yaml")).toThrow(/fixed_in: fixed_in names at least one release/);
    // The shipped entries with an upstream fix name it.
    expect(Object.fromEntries(shipped.filter((k) => k.fixed_in).map((k) => [k.id, k.fixed_in!.patroni]))).toMatchObject({
      "quorum-return-leader-race": "3.0.3",
      "dns-break-stuck-on-isolated-member": "4.0.6",
    });
  });

  it("a scenario may carry its own known_issues (scenario implied)", () => {
    const s = parseScenario(
      "name: x\ndescription: d\nknown_issues:\n  - id: k\n    summary: s\n    covers: { checkers: [single-primary] }\n    versions: { patroni: '3.0.x' }\n    evidence: [{ matches: promoted, node: pg1 }]\nsteps:\n  - sleep: 1s\n",
      "x.yaml",
    );
    expect(s.known_issues?.[0]).toMatchObject({ id: "k", evidence: [{ matches: "promoted", node: "pg1" }] });
  });

  it("a scenario's known issue must name its steps", () => {
    expect(() =>
      parseScenario(
        "name: x\ndescription: d\nknown_issues:\n  - id: k\n    summary: s\n    covers: { steps: [outgae] }\n    versions: { patroni: '3.0.x' }\n    evidence: [{ matches: promoted }]\nsteps:\n  - id: outage\n    sleep: 1s\n",
        "x.yaml",
      ),
    ).toThrow("x.yaml:6:23: known_issues[0].covers.steps[0]: no step 'outgae' in this scenario; allowed: outage; did you mean 'outage'?");
  });
});

describe("known issues on the recorded quorum-loss split brain (Patroni 3.0.2)", () => {
  const events = readJournal(RACE).events;

  it("is `known` on 3.0.2: the split brain is explained, with the evidence lines", () => {
    const r = reportOf(events, { patroni: "3.0.2" });
    expect(r.verdicts.find((v) => v.checker === "single-primary")?.ok).toBe(false);
    expect(r.outcome).toBe("known");
    const k = r.knownIssues?.find((x) => x.id === "quorum-return-leader-race");
    expect(k).toMatchObject({ showed: true, matched: ["checker:single-primary"], reference: "https://github.com/patroni/patroni/pull/2689" });
    expect(k?.evidence.join("\n")).toMatch(/by acquiring session lock[\s\S]*because I had the session lock/);
  });

  it("fails on a version outside the range (3.0.3 has the fix: the issue is said not to apply)", () => {
    const r = reportOf(events, { patroni: "3.0.3" });
    expect(r.outcome).toBe("fail");
    expect(r.knownIssues?.[0]).toMatchObject({ showed: false, matched: [] });
    expect(r.knownIssues?.[0].why).toContain("patroni 3.0.3 is outside <3.0.3");
  });

  it("fails when the evidence is not in the record (an unexpected failure)", () => {
    const without = events.filter((e) => !(e.kind === "log" && /because I had the session lock/.test(e.line)));
    const r = reportOf(without, { patroni: "3.0.2" });
    expect(r.outcome).toBe("fail");
    expect(r.knownIssues?.[0].why).toContain("is not in any node's log");
  });

  it("fails when another failure, not covered, happens in the same run", () => {
    const end = events.reduce((m, e) => Math.max(m, e.t), 0);
    const extra: HistoryEvent[] = [
      { kind: "step", t: end + 1, index: 99, id: "extra", type: "expect", phase: "start", text: "expect x" },
      { kind: "step", t: end + 2, index: 99, id: "extra", type: "expect", phase: "end", text: "expect x", outcome: "fail", detail: "no" },
    ];
    expect(reportOf([...events, ...extra], { patroni: "3.0.2" }).outcome).toBe("fail");
  });

  it("a run without failures passes and lists the known issue as not shown", () => {
    const clean = readJournal(path.join(ROOT, "test/fixtures/histories/recorded-etcd-rebuild-clean.jsonl")).events;
    const r = reportOf(clean, { patroni: "3.0.2" });
    expect(r.outcome).toBe("pass");
    expect(r.knownIssues?.[0]).toMatchObject({ id: "quorum-return-leader-race", showed: false });
  });
});

describe("a run whose only failure is the lost writes (2026-12-06 game day at -j4, Patroni 3.0.2)", () => {
  // pg1 promoted by acquiring the lock at +45.6 s, pg3 (the former leader) promoted "because I had
  // the session lock" at +46.3 s and kept it; pg1 acknowledged writes 288-294 (+45.8 to +46.8 s)
  // that pg3 never had. single-primary passed (no sampled overlap): no-acked-write-lost was the
  // only failure, and the known issue must explain it from the lost writes' own times.
  const JOURNAL = path.join(ROOT, "test/fixtures/histories/recorded-quorum-race-missed-2026-12-06.jsonl");

  it("`pgchaos report` re-judges it as known: the evidence lies within 10 s of the lost writes", async () => {
    const out = tmp("pgchaos-race-");
    expect(await reportCommand({ path: JOURNAL, reportsDir: out }, () => {})).toBe(0);
    const r = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    expect(r.verdicts.filter((v: { ok: boolean }) => !v.ok).map((v: { checker: string }) => v.checker)).toEqual(["no-acked-write-lost"]);
    expect(r.outcome).toBe("known");
    // The journal predates recorded replication settings: they are read from its scenario text
    // (asynchronous, the defaults), and pg1's acknowledgements after pg3 was writable make it a split brain.
    expect(r.verdicts.find((v: { checker: string }) => v.checker === "no-acked-write-lost").summary).toContain("[7 by pg1: split brain with pg3]");
    const k = r.knownIssues.find((x: { id: string }) => x.id === "quorum-return-leader-race");
    expect(k).toMatchObject({ showed: true, matched: ["checker:no-acked-write-lost"] });
    expect(k.evidence).toEqual([
      expect.stringMatching(/^pg1 \+45\.6s: .*promoted self to leader by acquiring session lock$/),
      expect.stringMatching(/^pg3 \+46\.3s: .*promoted self to leader because I had the session lock$/),
    ]);
  });

  it("the lost writes' verdict carries their time, so a line far from them is not evidence", () => {
    const events = readJournal(JOURNAL).events;
    const late = (line: string) => ({ kind: "log" as const, t: 120_000, node: "pg3", line });
    const moved = events
      .filter((e) => !(e.kind === "log" && /promoted self to leader because I had the session lock/.test(e.line)))
      .concat(late("2026-12-06 03:35:49,000 INFO: promoted self to leader because I had the session lock"));
    const r = reportOf(moved, { patroni: "3.0.2" });
    expect(r.outcome).toBe("fail");
    expect(r.knownIssues?.find((x) => x.id === "quorum-return-leader-race")?.why).toContain("within 10 s of the failure");
  });
});

describe("the time of a failure", () => {
  it("a verdict's failure spans its evidence's failure windows: lost writes' episodes that violate the promise, not allowed ones nor the final read", () => {
    const episode = (judgement: "allowed" | "violation", start: number, end: number) => ({
      type: "loss-episode" as const,
      message: "",
      judgement,
      cause: judgement === "allowed" ? ("failover" as const) : ("split-brain" as const),
      nodes: ["pg1", "pg2"],
      ackedBy: "pg1",
      seqs: "2-3",
      count: 2,
      start,
      end,
    });
    const f = failuresOf(
      [],
      [
        {
          checker: "no-acked-write-lost",
          ok: false,
          summary: "",
          evidence: [
            episode("allowed", 100, 200),
            episode("violation", 1000, 1150),
            { type: "lost-write", message: "", seq: 2, node: "pg1", via: "direct", invokedAt: 1000, completedAt: 1010, presentOn: [] },
            { type: "final-read", message: "", node: "pg2", primary: true, t: 60_000, seqCount: 1 },
          ],
        },
      ],
    );
    expect(f).toEqual([{ key: "checker:no-acked-write-lost", start: 1000, end: 1150 }]);
  });

  it("a failure the record gives no time is said to have none", () => {
    const issue = shipped.find((k) => k.id === "quorum-return-leader-race")!;
    const [r] = matchKnownIssues({
      scenario: issue.scenario,
      issues: [issue],
      versions: { patroni: "3.0.2" },
      events: [{ kind: "log", t: 5000, node: "pg1", line: "INFO: promoted self to leader by acquiring session lock" }],
      failures: [{ key: "checker:no-acked-write-lost" }],
    });
    expect(r.showed).toBe(false);
    expect(r.why).toContain("within 10 s of the failure (the record gives this failure no time)");
  });
});
