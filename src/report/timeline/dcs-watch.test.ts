import { describe, expect, it } from "vitest";
import type { DcsWatchEvent, HistoryEvent } from "../../history/events.js";
import { PINNED, reportOf } from "../../../test/fixtures/histories/report-of.js";
import { buildReport, type RunReport } from "../model.js";
import { deleteBursts } from "../dcs-watch-facts.js";
import { shownValue, dcsWatchLane } from "./dcs-watch.js";
import { renderTimelineSvg } from "./index.js";

// Recorded journals in test/fixtures/histories/dcs-watch/ (trimmed to the kinds the lane reads,
// plus one node sample per node for the colours; kept apart from the full journals other tests
// replay): dcs-leader-key-deleted (the pgchaos action deletes the leader key, Patroni puts it
// back), watch-stall-replica-failsafe-on (quorum loss: the leases expire, four keys go at once),
// etcd-rebuild-empty (the watch's own member wiped: stream broken, store revision back to 11).
const LEADER_DELETED = "dcs-watch/dcs-leader-key-deleted.jsonl";
const FAILSAFE_ON = "dcs-watch/watch-stall-failsafe-on.jsonl";
const REBUILD = "dcs-watch/etcd-rebuild-empty.jsonl";

/** x of a history time in the SVG, from the SVG's own axis attributes. */
function xOf(svg: string, t: number): number {
  const a = (name: string) => Number(svg.match(new RegExp(`${name}="(-?[\\d.]+)"`))![1]);
  const [t0, t1, x0, x1] = [a("data-t0"), a("data-t1"), a("data-x0"), a("data-x1")];
  return x0 + ((t - t0) / (t1 - t0)) * (x1 - x0);
}

const withEvents = (r: RunReport, events: HistoryEvent[]) =>
  buildReport({ ...r, scenario: r.scenario, startedAt: r.startedAt, endedAt: new Date(Date.parse(r.startedAt) + 45_000), origin: r.startedAt, events, verdicts: [], findings: [] } as never);

describe("the dcs-watch lane on recorded journals", () => {
  it("dcs-leader-key-deleted: the leader key's delete at revision 32 is a tick at its time; the holder before it comes from the delete's previous value", () => {
    const r = reportOf(LEADER_DELETED);
    const del = r.events.find((e): e is DcsWatchEvent => e.kind === "dcs-watch" && e.key === "leader" && e.type === "delete")!;
    expect(del.modRevision).toBe(32);
    const svg = renderTimelineSvg(r);
    expect(svg).toMatch(/id="lanes-dcs-watch" data-member="e3"/);
    const tick = svg.match(/<g class="watch-tick delete" data-key="leader" data-type="delete" data-revision="32" data-t="(\d+)"><line x1="([\d.]+)"/);
    expect(Number(tick![1])).toBe(del.t);
    expect(Math.abs(Number(tick![2]) - xOf(svg, del.t))).toBeLessThan(0.1);
    expect(svg).toMatch(/class="watch-tick put" data-key="leader" data-type="put" data-revision="33"/);
    // pg2 held it up to the delete (from the delete's previous value), was absent 20 ms, pg2 again.
    const runs = [...svg.matchAll(/class="watch-run [^"]+" data-key="leader" data-value="([^"]+)" data-from="(\d+)" data-to="(\d+)"/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    expect(runs.map((x) => x[0])).toEqual(["pg2", "(absent)", "pg2"]);
    expect(runs[1][1]).toBe(del.t);
    expect(Number(runs[1][2]) - Number(runs[1][1])).toBe(20);
    // No trouble: no row for the watch's own connection.
    expect(svg).not.toContain("watch-stream");
  });

  it("watch-stall-replica-failsafe-on: the leases expiring after the quorum loss are one burst of four deletes; member keys' puts are bands by role", () => {
    const svg = renderTimelineSvg(reportOf(FAILSAFE_ON));
    expect(svg).toMatch(/class="watch-burst" data-count="4" data-from-revision="28" data-to-revision="30"/);
    for (const n of ["pg1", "pg2", "pg3"]) expect(svg).toMatch(new RegExp(`class="watch-tick delete" data-key="members/${n}" data-type="delete"`));
    // pg3: primary, deleted with its lease, primary again, demoted during the switchover, replica.
    const pg3 = [...svg.matchAll(/data-key="members\/pg3" data-value="([^"]+)"/g)].map((m) => m[1]);
    expect(pg3).toEqual(["master running", "(absent)", "master running", "demoted stopped", "replica starting", "replica running"]);
    expect(svg.match(/class="watch-key-mark put key-failsafe"/g)).toHaveLength(2);
    expect(svg.match(/class="watch-key-mark put key-failover"/g)).toHaveLength(2);
    // status puts are counted, never drawn.
    expect(svg).toContain("44 status puts not drawn");
    expect(svg).not.toContain('data-key="status"');
  });

  it("etcd-rebuild-empty: the pinned member wiped — stream broken, the fault marked, the store's revision back to 11 and the watch blind after it", () => {
    const svg = renderTimelineSvg(reportOf(REBUILD));
    expect(svg).toMatch(/class="chart-title lane-legend"[^>]*>etcd3 watch on e3.*⚠ stream broken 1×; e3 faulted: etcd-rebuild; revision went back 32→11/);
    expect(svg).toMatch(/class="watch-down watch-disconnected" data-from="25714" data-to="28038"/);
    expect(svg).toMatch(/class="watch-faulted" data-fault="wipe"/);
    expect(svg).toMatch(/class="watch-reset" data-t="28038" data-from-revision="32" data-to-revision="11"/);
    expect(svg).toMatch(/class="watch-blind" data-from="28038"/);
    // The member keys' bands stop where the watch went blind.
    const ends = [...svg.matchAll(/class="watch-run watch-role [^"]+" data-key="members\/pg\d" data-value="[^"]+" data-from="\d+" data-to="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ends).toHaveLength(3);
    for (const e of ends) expect(e).toBe(28038);
    expect(svg).toContain("no change seen"); // no leader key change while the watch could see
  });

  it("the lane is absent without dcs-watch events", () => {
    for (const file of PINNED) expect(renderTimelineSvg(reportOf(file)), file).not.toContain("dcs-watch");
    const r = reportOf(LEADER_DELETED);
    expect(renderTimelineSvg(r)).toContain('id="lanes-dcs-watch"');
    const without = withEvents(r, r.events.filter((e) => e.kind !== "dcs-watch"));
    expect(renderTimelineSvg(without)).not.toContain('id="lanes-dcs-watch"');
  });

  it("stays readable with hundreds of events: repeated member and status puts add no shapes", () => {
    const r = reportOf(FAILSAFE_ON);
    const svg = renderTimelineSvg(r, undefined, { lanes: [dcsWatchLane] });
    // Every member/status put repeated 10 times, 1 ms apart (as a busier cluster would write
    // them), the revisions renumbered in time order as etcd would have given them.
    const isWatch = (e: HistoryEvent): e is DcsWatchEvent => e.kind === "dcs-watch";
    const extra: DcsWatchEvent[] = r.events
      .filter(isWatch)
      .flatMap((e) => (e.type === "put" && (e.key === "status" || e.key.startsWith("members/")) ? Array.from({ length: 9 }, (_, i) => ({ ...e, t: e.t + i + 1 })) : []));
    expect(extra.length).toBeGreaterThan(1000);
    const watch = [...r.events.filter(isWatch), ...extra].sort((a, b) => a.t - b.t || a.modRevision - b.modRevision).map((e, i) => ({ ...e, revision: 25 + i, modRevision: 25 + i }));
    const busy = renderTimelineSvg(withEvents(r, [...r.events.filter((e) => !isWatch(e)), ...watch]), undefined, { lanes: [dcsWatchLane] });
    const shapes = (s: string) => (s.match(/<(rect|line|path) /g) ?? []).length;
    expect(shapes(busy)).toBe(shapes(svg));
    expect(busy.length).toBeLessThan(svg.length * 1.3);
  });
});

describe("dcs-watch helpers", () => {
  it("shownValue hides passwords in connection strings and cuts long values", () => {
    expect(shownValue("host=pg1 port=5432 user=rep password=s3cr3t dbname=x")).toBe("host=pg1 port=5432 user=rep password=*** dbname=x");
    expect(shownValue('{"conn_url":"postgres://rep:s3cr3t@pg1:5432/postgres","password":"s3cr3t"}')).not.toContain("s3cr3t");
    expect(shownValue("x".repeat(500)).length).toBe(120);
    expect(shownValue("replica running xlog 1 tl 1")).toBe("replica running xlog 1 tl 1");
  });

  it("deleteBursts groups leased deletes close in time and revision, not lone ones", () => {
    const d = (t: number, rev: number, key: string, lease = true): DcsWatchEvent => ({ kind: "dcs-watch", t, member: "e3", key, type: "delete", revision: rev, modRevision: rev, lease });
    const bursts = deleteBursts([d(100, 5, "leader"), d(101, 5, "members/pg1"), d(102, 6, "members/pg2"), d(5000, 9, "leader"), d(9000, 12, "members/pg3"), d(9001, 13, "config", false)]);
    expect(bursts.map((b) => b.map((e) => e.key))).toEqual([["leader", "members/pg1", "members/pg2"]]);
  });
});
