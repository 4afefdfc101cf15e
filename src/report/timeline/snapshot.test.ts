import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PINNED, reportOf } from "../../../test/fixtures/histories/report-of.js";
import { LEGACY_LANES, renderTimelineSvg } from "./index.js";

const SNAPSHOTS = fileURLToPath(new URL("../../../test/fixtures/timeline/", import.meta.url));

// The SVG of the lanes the timeline had before it was split into lane modules, taken from the
// unsplit renderer: the split must not change a byte. UPDATE_SNAPSHOTS=1 rewrites them (only when
// a change to those lanes is intended).
describe("timeline snapshots (the lanes before the split)", () => {
  for (const file of PINNED) {
    it(file, () => {
      const svg = renderTimelineSvg(reportOf(file), undefined, { lanes: LEGACY_LANES });
      const snap = `${SNAPSHOTS}${file.replace(/\.jsonl?$/, "")}.svg`;
      if (process.env.UPDATE_SNAPSHOTS) {
        mkdirSync(SNAPSHOTS, { recursive: true });
        writeFileSync(snap, svg);
      }
      expect(existsSync(snap), `${snap} missing (UPDATE_SNAPSHOTS=1 writes it)`).toBe(true);
      expect(svg === readFileSync(snap, "utf8"), `${file}: timeline differs from ${snap}`).toBe(true);
    });
  }
});
