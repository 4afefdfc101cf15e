import { describe, expect, it } from "vitest";
import type { HistoryEvent, NodeSample } from "../../history/events.js";
import { aggregateRuns } from "../aggregate.js";
import { renderCompareChart } from "../compare-chart.js";
import { LEGACY_LANES, renderTimelineSvg, TIMELINE_LANES } from "./index.js";
import { PINNED, reportOf } from "../../../test/fixtures/histories/report-of.js";
import { buildReport } from "../model.js";
import { checkers } from "../../checker/index.js";
import { findingsFromVerdicts } from "../../runner/findings.js";
import { byT, primary, replica, samples, type State } from "../../../test/fixtures/histories/builder.js";

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe("signal lanes on recorded journals", () => {
  it("etcd-dns-break: a lane per node with its etcd member, moving off e3; HAProxy per port; the DCS lag chart", () => {
    const svg = renderTimelineSvg(reportOf("recorded-etcd-dns-break.jsonl"));
    expect(svg).toContain('id="lanes-dcs-endpoint"');
    for (const n of ["pg1", "pg2", "pg3"]) expect(svg).toMatch(new RegExp(`class="lane dcs-endpoint" data-node="${n}"`));
    // Every node was steered onto e3 and left it after the break: both appear in its lane.
    expect(svg).toMatch(/class="band endpoint" data-node="pg1" data-value="e3"/);
    expect(svg).toMatch(/class="band endpoint" data-node="pg1" data-value="e1"/);
    expect(svg).toContain('id="lanes-haproxy"');
    expect(svg).toMatch(/class="band route" data-port="primary" data-value="pg2"/);
    expect(svg).toMatch(/data-port="replicas" data-value="pg1, pg3"/);
    expect(svg).toContain('class="chart dcs-lag"');
    expect(count(svg, /class="chart-line dcs-lag dashed"/g)).toBe(2);
    expect(svg).not.toContain('id="lanes-leader-view"'); // no DCS proxy in this lab
    expect(svg).not.toContain('class="chart clock"'); // no clock fault
  });

  it("watch-stall: each node's cached leader, the stalled node's stale stretch marked", () => {
    const svg = renderTimelineSvg(reportOf("recorded-watch-stall-failsafe-off.jsonl"));
    expect(svg).toContain('id="lanes-leader-view"');
    // After the switchover to pg3 the stalled pg1 kept pg2 in its cache: an alert on pg1 only.
    expect(svg).toMatch(/class="band cached-leader" data-node="pg1" data-value="pg2"/);
    const alerts = [...svg.matchAll(/class="band-alert" data-node="(pg\d)" data-from="(\d+)" data-to="(\d+)"/g)].map((m) => ({ node: m[1], ms: Number(m[3]) - Number(m[2]) }));
    const pg1 = alerts.filter((a) => a.node === "pg1" && a.ms > 20_000);
    expect(pg1.length).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.node !== "pg1" && a.ms > 2_000)).toEqual([]);
  });

  it("a history without the signals renders exactly as the legacy lanes", () => {
    for (const file of ["clean-run.json", "switchover.json", "split-brain-etcd-unpause.json"]) {
      const r = reportOf(file);
      expect(renderTimelineSvg(r, undefined, { lanes: TIMELINE_LANES }) === renderTimelineSvg(r, undefined, { lanes: LEGACY_LANES }), file).toBe(true);
    }
    expect(PINNED.length).toBeGreaterThan(3);
  });

  it("clock lane: the fault's offset (with a live update) and PostgreSQL's measured offset", () => {
    const base = reportOf("clean-run.json");
    const target = base.events.find((e): e is NodeSample => e.kind === "node")!.node;
    const events: HistoryEvent[] = base.events.map((e) =>
      e.kind === "node" && e.node === target && e.t > 5000 && e.t < 9000 ? { ...e, pgClockOffsetMs: -40_000 + (e.t % 7) } : e,
    );
    events.push(
      { kind: "fault", t: 5000, id: "jump", fault: "clock-skew", phase: "inject", targets: [target], ok: true, params: { offset: -40_000, processes: "all" } },
      { kind: "note", t: 7000, text: `fault jump (clock-skew) updated live: {"offset":5000}` },
      { kind: "fault", t: 9000, id: "jump", fault: "clock-skew", phase: "heal", targets: [target], ok: true },
    );
    const r = buildReport({ ...base, runId: "clock", scenario: base.scenario, startedAt: base.startedAt, endedAt: new Date(Date.parse(base.startedAt) + 45_000), origin: base.startedAt, events, verdicts: [], findings: [] } as never);
    const svg = renderTimelineSvg(r);
    expect(svg).toContain('class="chart clock"');
    const declared = svg.match(new RegExp(`class="chart-line clock-declared dashed" data-node="${target}" data-points="(\\d+)"`));
    expect(declared?.[1]).toBe("3");
    expect(svg).toMatch(new RegExp(`class="chart-line clock-measured solid" data-node="${target}"`));
    expect(svg).toContain("furthest −40.0 s");
  });
});

describe("single-primary's evidence on the node lanes", () => {
  it("a stopping node's uncounted primary claim is a note on its own lane, not a role conflict", () => {
    const stopping: State = { restUp: true, role: "primary", state: "stopping", timeline: 1, pgUp: false, error: "pg: the database system is shutting down" };
    const events = byT([
      ...samples("pg1", 0, 40_000, (t) => (t < 20_000 ? primary(1) : t < 36_000 ? stopping : { ...replica(2), pgUp: false, writable: undefined })),
      ...samples("pg3", 130, 40_000, (t) => (t < 33_500 ? replica(1) : primary(2))),
    ]);
    const verdicts = [checkers["single-primary"]().check(events)];
    expect(verdicts[0].ok).toBe(true);
    const base = reportOf("clean-run.json");
    const r = buildReport({ ...base, runId: "stopping", scenario: base.scenario, startedAt: base.startedAt, endedAt: new Date(Date.parse(base.startedAt) + 45_000), origin: base.startedAt, events, verdicts, findings: findingsFromVerdicts(events, verdicts) } as never);
    const svg = renderTimelineSvg(r);
    expect(svg).toMatch(/<g class="evidence stopping-claim" data-type="stopping-claim" data-nodes="pg1,pg3" data-from="33530" data-to="35800">/);
    expect(svg).toContain("ℹ primary claim while stopping, not counted 2.3 s");
    expect(svg).not.toContain("role conflict");
    // Framed on pg1's lane only.
    const g = svg.match(/<g class="evidence stopping-claim"[^>]*>(.*?)<\/g>/)![1];
    expect(count(g, /<rect /g)).toBe(1);
  });
});

describe("runs compared on the index", () => {
  it("a bar per run for each figure that varies; nothing for a single run", () => {
    const a = reportOf("split-brain-etcd-unpause.json");
    const b = reportOf("clean-run.json");
    const [agg] = aggregateRuns([
      { report: a, repeat: 1, link: "1/report.md" },
      { report: { ...b, scenario: a.scenario }, repeat: 2, link: "2/report.md" },
    ]);
    const svg = renderCompareChart(agg);
    expect(svg).toContain('class="compare-chart"');
    const overlap = svg.match(/data-checker="single-primary" data-figure="longestWritableOverlapMs">(.*?)<\/g><text class="cmp-value"/);
    expect(overlap).not.toBeNull();
    expect([...overlap![1].matchAll(/data-run="(\d)" data-value="([\d.]+)"/g)].map((m) => [m[1], Number(m[2])])).toEqual([
      ["1", 2530],
      ["2", 0],
    ]);
    expect(renderCompareChart(aggregateRuns([{ report: b, link: "x" }])[0])).toBe("");
    // A figure that is the same in both runs (the node count) has nothing to compare: not drawn.
    expect(agg.figures.find((f) => f.checker === "single-primary" && f.figure === "nodes")?.values).toEqual([3, 3]);
    expect(svg).not.toContain('data-figure="nodes"');
  });
});
