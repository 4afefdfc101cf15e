import { LineCounter, parseDocument } from "yaml";
import type { LoadedScenario, ScenarioIssue } from "../scenario/load.js";
import { SourceMap, type Path } from "../scenario/source.js";
import { KEPT_KEYS } from "../lab/team-config.js";
import type { StackRecipe } from "./stacks.js";

function locator(s: LoadedScenario) {
  const lineCounter = new LineCounter();
  const src = new SourceMap(parseDocument(s.text, { lineCounter }), lineCounter);
  return (path: Path, message: string): ScenarioIssue => {
    const loc = src.locate(path);
    return { file: s.file, line: loc.line, column: loc.column, path: loc.path, message };
  };
}

/** What a scenario asks of a stack that the stack cannot do (`validate --stack`, `run --stack`). */
export function stackIssues(s: LoadedScenario, stack: StackRecipe): ScenarioIssue[] {
  const at = locator(s);
  const out: ScenarioIssue[] = [];
  if (!stack.haproxy && s.topology.haproxy) {
    out.push(at(["topology", "haproxy"], `stack ${stack.name} has no HAProxy (Debian ${stack.suite} does not package it); run this scenario on another stack`));
  }
  return out;
}

/** Keys of the scenario's patroni_config that pgchaos keeps its own value for (said, not rejected). */
export function keptKeyNotes(s: LoadedScenario): ScenarioIssue[] {
  if (!s.patroni_config) return [];
  const at = locator(s);
  const out: ScenarioIssue[] = [];
  for (const k of KEPT_KEYS) {
    let cur: unknown = s.patroni_config;
    const parts = k.path.split(".");
    for (const p of parts) cur = cur && typeof cur === "object" && !Array.isArray(cur) ? (cur as Record<string, unknown>)[p] : undefined;
    if (cur !== undefined) out.push(at(["patroni_config", ...parts], `pgchaos keeps its own value here: ${k.why}`));
  }
  return out;
}
