/**
 * What a fault or action kind declares so that `pgchaos explore` can draw steps of it: a
 * fast-check arbitrary of the step's own parameters, as a scenario author writes them, beside
 * the kind's zod shape (src/faults/<kind>/index.ts, src/actions/<kind>/index.ts). Explore reads
 * these from the registries; a new kind is explored without touching src/explore/. A kind that
 * cannot be drawn meaningfully says so with `{ notExplored: "why" }`.
 *
 * Kinds only import fast-check's types: the kit hands them fast-check itself (`g.fc`), so
 * validating or running scenarios never loads it.
 */
import type * as FC from "fast-check";
import type { z } from "zod";
import type { NodeKind, TopologyNodes } from "./primitives.js";

export type Arbitrary<T> = FC.Arbitrary<T>;

/** A kind's parameters as a YAML author writes them (before defaults and normalisation). */
export type ParamsInputOf<S extends z.ZodRawShape> = z.input<z.ZodObject<S>>;

/** The lab a schedule runs on, as far as a generator's `applies` needs it. */
export interface GenFacts {
  nodes: TopologyNodes;
  /** topology.security of the base scenario (TLS, etcd authentication). */
  security?: { tls: boolean; auth: boolean };
}

/** What a generator draws from. */
export interface GenKit extends GenFacts {
  /** fast-check, handed in (see the module comment). */
  readonly fc: typeof FC;
  /** Patroni's timings in force for the schedule (ttl as Patroni 4 raises it: at least 20), in seconds. */
  readonly timings: { ttl: number; loop_wait: number; retry_timeout: number };
  /**
   * One node reference of one of `kinds`: a node name, or for Patroni nodes `leader@`/`replica@`
   * of the schedule's start or of the step before this one (rewritten to that step's id).
   */
  ref(kinds: readonly NodeKind[]): Arbitrary<string>;
  /** One node name of one of `kinds`. */
  name(kinds: readonly NodeKind[]): Arbitrary<string>;
  /** Distinct node names of `kinds`, `min`..`max` of them (default 1..all). */
  names(kinds: readonly NodeKind[], opts?: { min?: number; max?: number }): Arbitrary<string[]>;
  /**
   * A `targets` value: one reference (a role or a name), a list of distinct names, or (Patroni)
   * the leader and a replica of one moment; at most `max` nodes.
   */
  targets(kinds: readonly NodeKind[], opts?: { max?: number }): Arbitrary<string | string[]>;
  /** A duration as written (`7s`, `250ms`): whole seconds from 1 s up, else multiples of 50 ms. */
  duration(minMs: number, maxMs: number): Arbitrary<string>;
  /** A signed duration (`-40s`, `+3s`) whose size lies in minMs..maxMs. */
  signedDuration(minMs: number, maxMs: number): Arbitrary<string>;
}

interface GeneratorBase<P> {
  /** The step's own parameters (without `fault`/`action`, `id`, `note`, `duration`). */
  params(g: GenKit): Arbitrary<P>;
  /** Whether the kind can run on this lab at all (default: yes). Proxy faults are left out centrally where the proxy cannot run. */
  applies?(facts: GenFacts): boolean;
  /** Relative weight when a kind is drawn (default 1). */
  weight?: number;
  /** Extra time the cluster may need to settle after a step of this kind (ms), added to the schedule's settle bound. */
  recoveryMs?: number;
}

export interface FaultGenerator<P> extends GeneratorBase<P> {
  /** The fault stays until healed (default true). A one-shot kind (process-restart) gets no duration and no heal step of its own. */
  lasting?: boolean;
}

export interface ActionGenerator<P> extends GeneratorBase<P> {
  /** Steps put before the schedule's final heal when this action was taken (pause: a resume), as written in YAML. */
  finally?: readonly Record<string, unknown>[];
}

/** The kind is left out of exploration, and why. */
export interface NotExplored {
  notExplored: string;
}

export function isExplored<G extends object>(e: G | NotExplored): e is G {
  return !("notExplored" in e);
}

/** HTTP statuses a REST action may answer when the cluster refuses it (a stimulus, not an expectation): a refusal is not a failure of the schedule. */
export const ANY_ANSWER = [200, 202, 400, 412, 500, 503];
