/**
 * Render: the judged run as a typed report, written to the scenario's report directory
 * (report.md, report.json, junit.xml, the HTML timeline), redacted of the run's secrets.
 */
import type { HistoryEvent } from "../history/events.js";
import type { Verdict } from "../checker/checker.js";
import { buildReport, type RunReport } from "../report/model.js";
import { writeReports } from "../report/write.js";
import type { ScenarioRunInput } from "./plan.js";
import type { Execution } from "./execute.js";

export interface RenderInput {
  runId: string;
  input: ScenarioRunInput;
  startedAt: Date;
  events: readonly HistoryEvent[];
  execution: Execution;
  verdicts: Verdict[];
  /** Execution's findings followed by the judge's. */
  findings: string[];
  secrets: string[];
}

export async function renderRun(dir: string, r: RenderInput): Promise<RunReport> {
  const { scenario } = r.input;
  const report = buildReport({
    runId: r.runId,
    scenario: {
      name: scenario.name,
      description: scenario.description,
      file: r.input.file,
      text: r.input.text,
      incident: scenario.incident === undefined ? undefined : String(scenario.incident),
    },
    startedAt: r.startedAt,
    endedAt: new Date(),
    origin: r.startedAt,
    topology: r.execution.topology,
    versions: r.execution.versions,
    events: [...r.events],
    verdicts: r.verdicts,
    error: r.execution.error,
    findings: r.findings,
    stepLines: Object.fromEntries(r.input.stepLines.flatMap((l, i) => (l === undefined ? [] : [[i, l]]))),
    logs: { journal: "journal.jsonl", dir: "logs" },
    setupMs: r.execution.setupMs,
    teardownMs: r.execution.teardownMs,
  });
  await writeReports(dir, report, { secrets: r.secrets });
  return report;
}
