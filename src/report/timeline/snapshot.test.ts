import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkers } from "../../checker/index.js";
import { findingsFromVerdicts } from "../../runner/findings.js";
import { loadHistoryFile } from "../../../test/fixtures/histories/load.js";
import { LEGACY_LANES, renderTimelineSvg } from "./index.js";
import { buildReport, type RunReport } from "../model.js";

const HISTORIES = fileURLToPath(new URL("../../../test/fixtures/histories/", import.meta.url));
const SNAPSHOTS = fileURLToPath(new URL("../../../test/fixtures/timeline/", import.meta.url));

/** The histories whose timelines are pinned: recorded journals and the hand-built fixtures. */
export const PINNED = [
  "clean-run.json",
  "switchover.json",
  "split-brain-etcd-unpause.json",
  "recorded-etcd-rebuild-clean.jsonl",
  "recorded-quorum-loss-split-brain-patroni-3.0.2.jsonl",
  "recorded-etcd-dns-break.jsonl",
  "recorded-watch-stall-failsafe-off.jsonl",
];

/** A RunReport of a history file, judged by every checker (deterministic: fixed times). */
export function reportOf(file: string): RunReport {
  const f = loadHistoryFile(HISTORIES + file);
  const verdicts = Object.values(checkers).map((mk) => mk().check(f.events));
  return buildReport({
    runId: file.replace(/\.jsonl?$/, ""),
    scenario: { name: file, text: "name: x\n" },
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: new Date(Date.parse("2026-01-01T00:00:00.000Z") + 45_000),
    origin: "2026-01-01T00:00:00.000Z",
    events: f.events,
    verdicts,
    findings: findingsFromVerdicts(f.events, verdicts),
    versions: { patroni: "3.0.2", etcd: "3.4.23", postgresql: "15" },
  });
}

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
