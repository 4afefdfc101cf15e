import type { HistoryEvent } from "../history/events.js";
import type { Invariant } from "../scenario/schema.js";
import { checkers } from "../checker/index.js";
import type { Verdict } from "../checker/checker.js";
import { findingsFromVerdicts } from "./findings.js";

export interface JudgeInput {
  /** The recorded history (any order). */
  events: readonly HistoryEvent[];
  invariants: readonly Invariant[];
  /** Why the run could not be carried out as written, when it could not. */
  error?: string;
}

export interface Judgement {
  verdicts: Verdict[];
  /** Evidence a person reads next to the verdicts (Patroni's own log lines, failed expectations). */
  findings: string[];
}

/**
 * Judges a recorded run: the scenario's invariants, then the findings that go with the
 * verdicts. A pure function of the record, so a stored journal can be judged again.
 */
export function judge(input: JudgeInput): Judgement {
  const verdicts: Verdict[] = input.error
    ? []
    : input.invariants.map((inv) => {
        const make = checkers[inv.name] as (o?: object) => { check: (ev: readonly HistoryEvent[], o?: object) => Verdict };
        return make(inv.options).check(input.events);
      });
  return { verdicts, findings: findingsFromVerdicts(input.events, verdicts) };
}
