/** Parameter schemas shared by several fault kinds. */
import { z } from "zod";
import { duration, signedDuration, type NodeRef } from "../../scenario/primitives.js";
import { REQUEST_KINDS } from "../../dcs-proxy/request-kind.js";
import type { ReportIssue } from "../kind.js";
import type { GenKit } from "../../scenario/explore-kit.js";

export const PROCESSES = ["patroni", "postgres", "etcd"] as const;

export const processParam = z.enum(PROCESSES).describe("Process inside the target containers: patroni, postgres or etcd.");

export const requestKinds = z
  .array(z.enum(REQUEST_KINDS))
  .min(1)
  .optional()
  .describe(`etcd request kinds it applies to: ${REQUEST_KINDS.join(", ")} (optional; default every kind).`);

/** `process` and targets that run it: etcd on etcd members, patroni and postgres on Patroni nodes. */
export const processAndTargets = (g: GenKit) =>
  g.fc.constantFrom(...PROCESSES).chain((process) => g.fc.record({ process: g.fc.constant(process), targets: g.targets(process === "etcd" ? ["etcd"] : ["patroni"]) }));

/** process: etcd runs on etcd members; patroni and postgres on Patroni nodes. */
export function processMatchesTargets(value: { process: string; targets: NodeRef[] }, issue: ReportIssue): void {
  const proc = value.process;
  value.targets.forEach((r, i) => {
    const kind = r.type === "node" ? r.nodeKind : "patroni";
    const needs = proc === "etcd" ? "etcd" : "patroni";
    if (kind !== needs) {
      issue(
        ["targets", i],
        `process '${proc}' runs on ${needs === "etcd" ? "etcd members (e1, e2, ...)" : "Patroni nodes (pg1, pg2, ...)"}, but '${r.text}' is ${kind === "etcd" ? "an etcd member" : kind === "haproxy" ? "the haproxy node" : "a Patroni node"}`,
        r.text,
      );
    }
  });
}

/** Schemas of parameters that are durations (milliseconds once parsed): describe texts print them as durations. */
export const DURATION_SCHEMAS = new WeakSet<z.ZodType>();

/** An unsigned duration parameter (ms once parsed). */
export function durationParam(description: string) {
  const s = duration(description);
  DURATION_SCHEMAS.add(s);
  return s;
}

/** A signed duration parameter (ms once parsed, may be negative). */
export function signedDurationParam(description: string) {
  const s = signedDuration(description);
  DURATION_SCHEMAS.add(s);
  return s;
}

/** Fixed values as arbitraries, to extend a drawn record (`{ ...constants(g, drawn), more: ... }`). */
export function constants<T extends Record<string, unknown>>(g: GenKit, values: T): { [K in keyof T]: ReturnType<typeof g.fc.constant<T[K]>> } {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, g.fc.constant(v)])) as { [K in keyof T]: ReturnType<typeof g.fc.constant<T[K]>> };
}

/** Ports a link fault may be limited to: PostgreSQL, Patroni's REST API, etcd's clients and peers. */
const LAB_PORTS = [5432, 8008, 2379, 2380];

/** What partition and packet-loss draw alike: targets, the other ends (`from`, never a target), direction and ports. */
export function linkParams(g: GenKit) {
  return g.targets(["patroni", "etcd", "haproxy"]).chain((targets) => {
    const named = new Set([targets].flat());
    const others = [...g.nodes.patroni, ...g.nodes.etcd, ...g.nodes.haproxy].filter((n) => !named.has(n));
    const from = others.length ? g.fc.oneof(g.fc.constant("all" as const), g.fc.subarray(others, { minLength: 1 })) : g.fc.constant("all" as const);
    return g.fc.record(
      {
        targets: g.fc.constant(targets),
        from,
        direction: g.fc.constantFrom("both" as const, "in" as const, "out" as const),
        ports: g.fc.subarray(LAB_PORTS, { minLength: 1 }),
      },
      { requiredKeys: ["targets"] },
    );
  });
}
