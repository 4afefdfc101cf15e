import { describe, expect, it } from "vitest";
import { PINNED, reportOf } from "../../test/fixtures/histories/report-of.js";
import { renderMarkdown } from "./markdown.js";
import { renderJson } from "./json.js";

// The recorded journals of the dcs-watch lane's tests (test/fixtures/histories/dcs-watch/).
describe("the etcd3 watch's figures in report.json and report.md", () => {
  it("dcs-leader-key-deleted: the leader key deleted at revision 32 and put back at 33", () => {
    const r = reportOf("dcs-watch/dcs-leader-key-deleted.jsonl");
    expect(r.dcsWatch).toMatchObject({ member: "e3", changes: 44, revisions: { from: 32, to: 75 }, leaderKey: { puts: 1, deletes: 1, revisions: [32, 33] }, memberKeyDeletes: 0, leaseBursts: [], statusPuts: 12, streamBreaks: 0, revisionResets: [] });
    const md = renderMarkdown(r);
    expect(md).toContain("## DCS watch");
    expect(md).toContain("44 changes on e3, revisions 32–75; leader key: 1 put, 1 delete (revisions 32, 33)");
    expect(JSON.parse(renderJson(r)).dcsWatch.leaderKey.revisions).toEqual([32, 33]);
  });

  it("watch-stall-replica-failsafe-on: the leases' expiry as one burst; the other keys counted", () => {
    const f = reportOf("dcs-watch/watch-stall-failsafe-on.jsonl").dcsWatch!;
    expect(f.leaseBursts).toEqual([{ keys: ["leader", "members/pg3", "members/pg1", "members/pg2"], revisions: { from: 28, to: 30 } }]);
    expect(f.otherKeys).toEqual({ failsafe: 2, failover: 2, history: 1 });
    expect(f.statusPuts).toBe(44);
    expect(f.memberKeyDeletes).toBe(3);
  });

  it("etcd-rebuild-empty: one broken stream, the revision back from 32 to 11", () => {
    const r = reportOf("dcs-watch/etcd-rebuild-empty.jsonl");
    expect(r.dcsWatch!.streamBreaks).toBe(1);
    expect(r.dcsWatch!.revisionResets).toEqual([{ t: 28038, from: 32, to: 11 }]);
    expect(renderMarkdown(r)).toMatch(/stream broken 1×; revision went back 32→11 \(store replaced/);
  });

  it("no dcs-watch events: no figures, no section", () => {
    for (const file of PINNED) {
      const r = reportOf(file);
      expect(r.dcsWatch, file).toBeUndefined();
      expect(renderMarkdown(r)).not.toContain("## DCS watch");
    }
  });
});
