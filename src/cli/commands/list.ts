import { findScenarioFiles } from "./validate.js";
import { loadScenario, ScenarioError, type LoadedScenario } from "../../scenario/load.js";
import { selectScenarios } from "../../scenario/select.js";
import { UserFacingError } from "../../util/errors.js";
import type { CommandIO } from "../command.js";

export interface ListOptions {
  paths: string[];
  json: boolean;
  tags: string[];
  grep?: string;
}

export interface ScenarioListing {
  name: string;
  description: string;
  tags: string[];
  incident: number | null;
  file: string;
}

export function listing(s: LoadedScenario): ScenarioListing {
  return { name: s.name, description: s.description, tags: [...s.tags], incident: s.incident ?? null, file: s.file };
}

const DESCRIPTION_CHARS = 110;

function firstWords(text: string): string {
  const flat = text.trim().replace(/\s+/g, " ");
  return flat.length <= DESCRIPTION_CHARS ? flat : `${flat.slice(0, DESCRIPTION_CHARS - 1).replace(/\s+\S*$/, "")} …`;
}

/** A table: name, incident, tags and file on one line, the description's start indented below (--json has all of it). */
export function formatListing(rows: readonly ScenarioListing[]): string {
  const cols = rows.map((r) => [r.name, r.incident === null ? "-" : String(r.incident), r.tags.join(",") || "-", r.file]);
  const head = ["NAME", "INCIDENT", "TAGS", "FILE"];
  const widths = head.map((h, i) => Math.max(h.length, ...cols.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]))).join("  ");
  return [line(head), ...rows.flatMap((r, i) => [line(cols[i]), `    ${firstWords(r.description)}`])].join("\n");
}

/**
 * `pgchaos list`: the scenarios of the given files and directories, selected by --tag/--grep.
 * Invalid files are reported on stderr and make the exit code 2; the valid ones are still listed.
 */
export async function listCommand(o: ListOptions, io: CommandIO): Promise<number> {
  const files = await findScenarioFiles(o.paths);
  if (!files.length) throw new UserFacingError(`no scenario files (*.yaml, *.yml) in ${o.paths.join(", ")}`);
  const loaded: LoadedScenario[] = [];
  let invalid = 0;
  for (const f of files) {
    try {
      loaded.push(await loadScenario(f));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      invalid++;
      io.err(e.message);
    }
  }
  const rows = selectScenarios(loaded, { tags: o.tags, grep: o.grep }, (s) => s).map(listing);
  io.out(o.json ? JSON.stringify(rows, null, 2) : formatListing(rows));
  return invalid ? 2 : 0;
}
