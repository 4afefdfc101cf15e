/**
 * What one fault kind is, in one place (src/faults/<kind>/index.ts): its parameters (a zod
 * shape), the checks on them, what it needs from the lab, its documentation row and how it is
 * built into a Fault. The scenario schema, validation, the runner, describe-step, the docs
 * table and the JSON Schema all read the kinds from ./registry.ts.
 */
import type { z } from "zod";
import type { Lab } from "../lab/lab-api.js";
import type { NodeRef, ParamsOf, StepProblem, TopologyNodes } from "../scenario/primitives.js";
import type { FaultGenerator, NotExplored, ParamsInputOf } from "../scenario/explore-kit.js";

export type { ParamsOf, StepProblem, TopologyNodes };
import type { Fault } from "./fault.js";


/** Reports a problem with one parameter; `path` is relative to the step (e.g. ["from", 1]). */
export type ReportIssue = (path: (string | number)[], message: string, input: unknown) => void;



export interface FaultBuildContext {
  /** The step's label (its id, or `step-<n>`): names per-instance state such as an iptables chain. */
  id: string;
  lab: Lab;
  /** Node reference -> node name, as of the run so far. */
  resolve(ref: NodeRef): string;
}

export interface FaultKind<S extends z.ZodRawShape = z.ZodRawShape> {
  /** Name in scenarios: `fault: <type>`. */
  readonly type: string;
  /** One sentence for the JSON Schema and editors. */
  readonly description: string;
  /** Parameters besides the common `id`, `note`, `duration`. */
  readonly params: S;
  /** Checks across parameters, run by the schema (so positions and messages are the loader's). */
  check?(params: ParamsOf<S>, issue: ReportIssue): void;
  /** Checks that need the topology or relate parameters to each other, run after the whole scenario parsed (scenario/semantic.ts). */
  semanticCheck?(params: ParamsOf<S>, nodes: TopologyNodes): StepProblem[];
  /** The fault acts through the DCS proxy: a lab with one is started when a scenario uses it. */
  readonly needsDcsProxy?: boolean;
  /** The fault stops containers and starts them again: the lab holds their data from the start (lab/data-volumes.ts). */
  readonly stopsContainers?: boolean;
  /** Parameters an `update` step may change while the fault is active (all optional there). */
  readonly liveUpdate?: z.ZodRawShape;
  /** Its row in docs/scenario-format.md's fault table. */
  readonly docs: { params: string; what: string };
  /** How `pgchaos explore` draws steps of this kind (src/scenario/explore-kit.ts), or why it does not. */
  readonly explore: FaultGenerator<ParamsInputOf<S>> | NotExplored;
  build(params: ParamsOf<S>, ctx: FaultBuildContext): Fault;
}

/** Declares a fault kind; the identity function that lets TypeScript infer the parameter types. */
export function defineFault<S extends z.ZodRawShape>(kind: FaultKind<S>): FaultKind<S> {
  return kind;
}
