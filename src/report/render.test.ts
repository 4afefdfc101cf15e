import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkers } from "../checker/index.js";
import { cleanRun, SECRET, splitBrainReportInput } from "../../test/fixtures/histories/scenarios.js";
import { renderJson, stableStringify } from "./json.js";
import { renderJUnit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { buildReport, type RunReport } from "./model.js";
import { failuresOf } from "../known-issues/match.js";
import { parseXml, xmlAttr, xmlText, type XmlElement } from "./xml.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

function splitBrainReport(): RunReport {
  const input = splitBrainReportInput();
  return buildReport({ ...input, verdicts: Object.values(checkers).map((mk) => mk().check(input.events)) });
}

/** The split brain explained by a known issue that showed: outcome `known`. */
function knownReport(): RunReport {
  const input = splitBrainReportInput();
  const verdicts = Object.values(checkers)
    .map((mk) => mk().check(input.events))
    .filter((v) => !v.unknown);
  const matched = failuresOf(input.events, verdicts).map((f) => f.key);
  return buildReport({
    ...input,
    verdicts,
    knownIssues: [{ id: "race", summary: "a <known> race", reference: "https://example.org/issues/1", showed: true, matched, evidence: ["pg1 +1.0s: promoted"] }],
  });
}

function cleanReport(name = "clean-run", incident?: string): RunReport {
  const f = cleanRun();
  return buildReport({
    runId: `run-${name}`,
    scenario: { name, ...(incident ? { incident } : {}) },
    startedAt: "2024-05-01T13:00:00.000Z",
    endedAt: "2024-05-01T13:00:31.500Z",
    origin: "2024-05-01T13:00:00.500Z",
    events: f.events,
    verdicts: Object.values(checkers).map((mk) => mk().check(f.events)),
  });
}

const child = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

describe("report.json", () => {
  it("is stable: same content whatever the key order of the input", () => {
    const r = splitBrainReport();
    const shuffled = JSON.parse(JSON.stringify(r), (_k, v) =>
      v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
    );
    expect(renderJson(shuffled)).toBe(renderJson(r));
  });

  it("puts the model's members in order, events last, one event per line, and parses back", () => {
    const r = splitBrainReport();
    const text = renderJson(r);
    const keys = Object.keys(JSON.parse(text));
    expect(keys.slice(0, 4)).toEqual(["schemaVersion", "runId", "outcome", "scenario"]);
    expect(keys.at(-1)).toBe("events");
    expect(text).toContain('\n    {"kind":"note","t":0,"text":"cluster ready"},\n');
    expect(text).toContain('"verdicts": [\n    {\n      "checker": "single-primary",\n      "ok": false,');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(r)));
  });

  it("redacts secrets, including inside JSON-escaped strings", () => {
    const r = splitBrainReport();
    expect(JSON.stringify(r)).toContain(JSON.stringify(SECRET).slice(1, -1)); // it is there unredacted
    const text = renderJson(r, { secrets: [SECRET] });
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(JSON.stringify(SECRET).slice(1, -1));
    expect(text).toContain("password=[REDACTED]");
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it("stableStringify handles empty containers, nulls and undefined members", () => {
    expect(stableStringify({ b: [], a: {}, c: null, d: undefined })).toBe('{\n  "a": {},\n  "b": [],\n  "c": null\n}');
  });
});

describe("junit.xml", () => {
  const xsd = fileURLToPath(new URL("./junit.xsd", import.meta.url));
  const hasXmllint = spawnSync("xmllint", ["--version"]).status === 0;

  it("has one testsuite and one testcase per scenario, with failure and system-out", () => {
    const xml = renderJUnit([splitBrainReport(), cleanReport("clean-run")], { secrets: [SECRET] });
    const root = parseXml(xml);
    expect(root.name).toBe("testsuites");
    expect(root.attrs).toMatchObject({ name: "pgchaos", tests: "2", failures: "1", errors: "0", time: "124.750" });
    const suites = child(root, "testsuite");
    expect(suites).toHaveLength(1);
    expect(suites[0].attrs).toMatchObject({ name: "pgchaos", tests: "2", failures: "1", timestamp: "2024-05-01T12:00:00" });
    const cases = child(suites[0], "testcase");
    expect(cases.map((c) => [c.attrs.classname, c.attrs.name, c.attrs.time])).toEqual([
      ["pgchaos.dcs-loss", "etcd-pause-split-brain", "93.250"],
      ["pgchaos.scenario", "clean-run", "31.500"],
    ]);
    const [failure] = child(cases[0], "failure");
    expect(failure.attrs.type).toBe("step.expect,verdict.single-primary,verdict.no-acked-write-lost");
    expect(failure.attrs.message).toMatch(/^3 problems: step 4 \(step-4\) failed: single primary within 10s/);
    expect(failure.text).toContain("pg2 and pg3 were both writable from +40.3s to +42.9s");
    expect(failure.text).toContain("20 acknowledged writes are missing on the final primary pg3: 395-405,412-420.");
    expect(child(cases[0], "system-out")[0].text).toContain("+40.1s → +50.0s  [fail] step 4 expect: single primary within 10s");
    expect(child(cases[1], "failure")).toHaveLength(0);
    expect(child(cases[1], "error")).toHaveLength(0);
    expect(xml).not.toContain(SECRET);
    expect(xml).not.toContain(xmlText(SECRET));
  });

  it("reports a known issue as <skipped> (not a failure) with its reference", () => {
    const r = knownReport();
    expect(r.outcome).toBe("known");
    const doc = parseXml(renderJUnit([r, cleanReport()]));
    const suite = child(doc, "testsuite")[0];
    expect(suite.attrs).toMatchObject({ tests: "2", failures: "0", errors: "0", skipped: "1" });
    const tc = child(suite, "testcase")[0];
    expect(child(tc, "failure")).toEqual([]);
    expect(child(tc, "skipped")[0].attrs.message).toBe("known issue: race (https://example.org/issues/1)");
    const props = child(child(suite, "properties")[0], "property").map((p) => p.attrs);
    expect(props).toContainEqual({ name: `knownIssue.${r.scenario.name}.race`, value: "https://example.org/issues/1" });
    expect(renderMarkdown(r)).toContain("## Known issues");
  });

  it("reports an infrastructure error as <error>", () => {
    const r = buildReport({ ...splitBrainReportInput(), error: "docker engine went away" });
    const tc = child(child(parseXml(renderJUnit(r)), "testsuite")[0], "testcase")[0];
    expect(child(tc, "failure")).toHaveLength(0);
    const [err] = child(tc, "error");
    expect(err.attrs).toEqual({ message: "docker engine went away", type: "infrastructure" });
    expect(err.text).toMatch(/^infrastructure error: docker engine went away\n\nstep 4/);
  });

  it("escapes markup, quotes and control characters", () => {
    const nasty = 'a<b>&"c\' \u0007bell \u001b[31mred\u001b[0m\ttab\nline \uFFFF \uD800 ]]> end';
    const r = cleanReport(nasty, "clock<skew>");
    r.verdicts[0] = { checker: "single-primary", ok: false, summary: nasty, evidence: [{ type: "note", message: nasty }] };
    r.outcome = "fail";
    const xml = renderJUnit(r);
    const tc = child(child(parseXml(xml), "testsuite")[0], "testcase")[0];
    const expected = 'a<b>&"c\' \\x07bell \\x1b[31mred\\x1b[0m\ttab\nline \\uffff \\ud800 ]]> end';
    expect(tc.attrs.name).toBe(expected);
    expect(tc.attrs.classname).toBe("pgchaos.clock<skew>");
    expect(child(tc, "failure")[0].text).toContain(expected);
    // eslint-disable-next-line no-control-regex
    expect(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(xml)).toBe(false);
    expect(xmlAttr("x\ny\rz\t")).toBe("x&#10;y&#13;z&#9;");
    expect(xmlText("😀 ok")).toBe("😀 ok"); // valid surrogate pairs are kept
  });

  it.skipIf(!hasXmllint)("validates against junit.xsd with xmllint", () => {
    const dir = tmp("pgchaos-junit-");
    const nasty = cleanReport('x<&>"\u0001', "i");
    nasty.verdicts[0] = { ...nasty.verdicts[0], ok: false };
    nasty.outcome = "fail";
    const docs = {
      "one.xml": renderJUnit(splitBrainReport()),
      "many.xml": renderJUnit([splitBrainReport(), cleanReport(), nasty, buildReport({ ...splitBrainReportInput(), error: "boom" }), knownReport()]),
      "none.xml": renderJUnit([]),
    };
    for (const [name, xml] of Object.entries(docs)) {
      writeFileSync(join(dir, name), xml);
      const out = execFileSync("xmllint", ["--noout", "--schema", xsd, join(dir, name)], { encoding: "utf8", stdio: "pipe" });
      expect(out).toBe("");
    }
    // The schema has teeth: a testcase without a name is rejected.
    writeFileSync(join(dir, "bad.xml"), docs["one.xml"].replace(' name="etcd-pause-split-brain"', ""));
    const bad = spawnSync("xmllint", ["--noout", "--schema", xsd, join(dir, "bad.xml")], { encoding: "utf8" });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("name");
  });

  it("parseXml rejects what is not well-formed", () => {
    expect(() => parseXml("<a><b></a>")).toThrow(/expected <\/b>/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml("<a>&</a>")).toThrow(/bare '&'/);
    expect(() => parseXml("<a>\u0001</a>")).toThrow(/invalid XML character/);
    expect(parseXml('<?xml version="1.0"?>\n<a k="&lt;&#10;">x&amp;y<b/></a>\n')).toEqual({
      name: "a",
      attrs: { k: "<\n" },
      children: [{ name: "b", attrs: {}, children: [], text: "" }],
      text: "x&y",
    });
  });
});

describe("report.md", () => {
  it("has the verdict, steps, faults, checkers, workload, findings, versions and logs", () => {
    const md = renderMarkdown(splitBrainReport(), { secrets: [SECRET] });
    const lines = md.split("\n");
    expect(lines[0]).toBe("# ❌ FAIL: etcd-pause-split-brain");
    expect(lines[2]).toBe(
      "**Verdict: FAIL** — 2 of 3 checkers failed (single-primary, no-acked-write-lost); 1 of 4 steps failed.",
    );
    expect(md).toContain("Pause every etcd member for 30 s, unpause, and watch for two primaries.");
    expect(md).toContain("| 4 | +40.1s → +50.0s | expect: single primary within 10s (line 20) | ❌ fail | pg2 and pg3 both primary at +40.3s |");
    expect(md).toContain("| step-1 | etcd-pause | e1, e2, e3 | +10.0s | +40.0s | yes |");
    expect(md).toContain("### single-primary: ❌ failed");
    expect(md).toContain("- pg2 and pg3 were both writable from +40.3s to +42.9s (2.5 s, from node samples;");
    expect(md).toContain("### write-availability: ✅ passed");
    expect(md).toContain("| all | 490 | 285 | 204 | 1 | 0 | 10.02/s | 5.83/s |");
    expect(md).toContain("- pg2 and pg3 promoted onto timeline 3 within 0.2 s of each other (samples +40.3s)");
    expect(md).toContain("| 15.3 | 3.0.2 | 3.5.10 |");
    expect(md).toContain("Journal, one event per line as recorded: `journal.jsonl`");
    expect(md).toContain("Container logs: `logs`");
    // The scenario source is fenced with a longer fence than any inside it.
    expect(md).toContain("````yaml\nname: etcd-pause-split-brain\n");
    expect(md).not.toContain(SECRET);
    expect(md).toContain("[REDACTED]");
  });

  it("keeps tables intact with pipes and newlines in cells, and caps evidence", () => {
    const r = cleanReport();
    r.steps.push({ index: 0, id: "s", type: "action", text: "sql: select 1 | 2", tStart: 1000, tEnd: 1500, outcome: "pass", detail: "a\nb" });
    r.verdicts[1] = {
      checker: "no-acked-write-lost",
      ok: false,
      summary: "x",
      evidence: Array.from({ length: 40 }, (_, i) => ({ type: "note" as const, message: `item ${i}` })),
    };
    const md = renderMarkdown(r, { maxEvidence: 5 });
    expect(md).toContain("| 1 | +1.0s → +1.5s | action: sql: select 1 \\| 2 | ✅ pass | a<br>b |");
    expect(md).toContain("- item 4\n- … and 35 more (see `report.json`).");
    expect(md).not.toContain("- item 5\n");
  });

  it("shows an error verdict and a never-healed fault", () => {
    const input = splitBrainReportInput();
    const r = buildReport({
      ...input,
      events: [...input.events, { kind: "fault", t: 60000, id: "cut", fault: "network-partition", phase: "inject", targets: ["pg1"], ok: true }],
      error: "interrupted (SIGINT)",
    });
    const md = renderMarkdown(r);
    expect(md.split("\n")[0]).toBe("# ⚠️ ERROR: etcd-pause-split-brain");
    expect(md).toContain("**Verdict: ERROR** — infrastructure error: interrupted (SIGINT); 1 of 4 steps failed.");
    expect(md).toContain("| cut | network-partition | pg1 | +60.0s | **never** | yes |");
    expect(md).toContain("No checker ran.");
  });
});
