import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PINNED, reportOf } from "../../../test/fixtures/histories/report-of.js";
import { LEGACY_LANES, renderTimelineSvg, type LaneModule } from "./index.js";
import { dcsWatchLane } from "./dcs-watch.js";

const SNAPSHOTS = fileURLToPath(new URL("../../../test/fixtures/timeline/", import.meta.url));

/** A test that renders `file` with `lanes` and compares it with its pinned SVG (UPDATE_SNAPSHOTS=1 rewrites it). */
function pinned(file: string, lanes: readonly LaneModule[]) {
  return () => {
    const svg = renderTimelineSvg(reportOf(file), undefined, { lanes });
    const snap = `${SNAPSHOTS}${file.replace(/\.jsonl?$/, "")}.svg`;
    if (process.env.UPDATE_SNAPSHOTS) {
      mkdirSync(dirname(snap), { recursive: true });
      writeFileSync(snap, svg);
    }
    expect(existsSync(snap), `${snap} missing (UPDATE_SNAPSHOTS=1 writes it)`).toBe(true);
    expect(svg === readFileSync(snap, "utf8"), `${file}: timeline differs from ${snap}`).toBe(true);
  };
}

// The SVG of the lanes the timeline had before it was split into lane modules, taken from the
// unsplit renderer: the split must not change a byte. UPDATE_SNAPSHOTS=1 rewrites them (only when
// a change to those lanes is intended).
describe("timeline snapshots (the lanes before the split)", () => {
  for (const file of PINNED) it(file, pinned(file, LEGACY_LANES));
});

// The etcd3 watch's lane alone (with the axes) on recorded journals that have dcs-watch events.
describe("timeline snapshots: the dcs-watch lane", () => {
  for (const file of ["dcs-leader-key-deleted.jsonl", "watch-stall-failsafe-on.jsonl", "etcd-rebuild-empty.jsonl"])
    it(file, pinned(`dcs-watch/${file}`, [dcsWatchLane]));
});
