/**
 * Fault types and their parameters: fault type -> description + zod shape of its own params.
 * A fault step is `{ fault: <type>, id?, note?, duration?, ...params }`, strict per type.
 * Adding a fault type is one entry here (plus its implementation under src/faults/).
 *
 * `targets` is always normalised to a list of NodeRefs. Defaults are applied by the schema,
 * so after parsing every defaulted param is present.
 */
import { z } from "zod";
import { type NodeRef, duration, nodeRef, signedDuration, targets } from "./primitives.js";
import { REQUEST_KINDS } from "../dcs-proxy/request-kind.js";
import { RELEASE_MODES, TOXIC_FAULTS, type ReleaseMode, type ToxicFault } from "../dcs-proxy/types.js";

const PROCESSES = ["patroni", "postgres", "etcd"] as const;

/** Fault types that act through the DCS proxy (src/dcs-proxy): a lab with one is started for them. */
export const DCS_PROXY_FAULTS: readonly string[] = ["watch-stall", "dcs-latency", "dcs-error"];

const requestKinds = z
  .array(z.enum(REQUEST_KINDS))
  .min(1)
  .optional()
  .describe(`etcd request kinds it applies to: ${REQUEST_KINDS.join(", ")} (optional; default every kind).`);
const processParam = z.enum(PROCESSES).describe("Process inside the target containers: patroni, postgres or etcd.");

export interface FaultSpec {
  description: string;
  params: z.ZodRawShape;
  /** Cross-parameter checks on the parsed params (paths relative to the step). */
  check?: (value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>) => void;
}

/** process: etcd runs on etcd members; patroni and postgres on Patroni nodes. */
function processMatchesTargets(value: Record<string, unknown>, ctx: z.core.$RefinementCtx<Record<string, unknown>>): void {
  const proc = value.process as string;
  const refs = value.targets as NodeRef[];
  refs.forEach((r, i) => {
    const kind = r.type === "node" ? r.nodeKind : "patroni";
    const needs = proc === "etcd" ? "etcd" : "patroni";
    if (kind !== needs) {
      ctx.addIssue({
        code: "custom",
        path: ["targets", i],
        input: r.text,
        message: `process '${proc}' runs on ${needs === "etcd" ? "etcd members (e1, e2, ...)" : "Patroni nodes (pg1, pg2, ...)"}, but '${r.text}' is ${kind === "etcd" ? "an etcd member" : kind === "haproxy" ? "the haproxy node" : "a Patroni node"}`,
      });
    }
  });
}

export const FAULT_PARAMS = {
  "etcd-stop": {
    description: "Stop etcd members (docker stop; data kept). Healed by starting them.",
    params: { targets: targets(["etcd"]) },
  },
  "etcd-pause": {
    description: "Freeze the etcd process of the members (SIGSTOP, as Patroni's acceptance tests do): connections are accepted, nothing answers. Healed by SIGCONT.",
    params: { targets: targets(["etcd"]) },
  },
  "etcd-kill": {
    description: "SIGKILL the etcd process of the members and keep it down (data kept). Healed by letting it start again.",
    params: { targets: targets(["etcd"]) },
  },
  "etcd-quorum-loss": {
    description: "Take a majority of etcd members away so the cluster loses quorum.",
    params: {
      mode: z.enum(["stop", "pause", "kill"]).default("pause").describe("How members are taken away: stop, pause (default) or kill."),
      targets: targets(["etcd"], { description: "etcd members to take away; at least a majority. Default: a majority (the first floor(M/2)+1 members)." }).optional(),
    },
  },
  "etcd-rebuild": {
    description: "Wipe all etcd members and start a new, empty etcd cluster on the same addresses.",
    params: {},
  },
  "process-kill": {
    description: "Send a signal to a process inside the targets.",
    params: {
      targets: targets(["patroni", "etcd"]),
      process: processParam,
      signal: z.enum(["KILL", "TERM"]).default("KILL").describe("Signal to send: KILL (default) or TERM."),
      keep_down: z
        .boolean()
        .default(false)
        .describe("Keep the process down until the fault is healed (default false: it may come back by itself, e.g. Patroni restarts a killed postgres)."),
    },
    check: processMatchesTargets,
  },
  "process-pause": {
    description: "SIGSTOP a process inside the targets until healed (SIGCONT).",
    params: { targets: targets(["patroni", "etcd"]), process: processParam },
    check: processMatchesTargets,
  },
  "process-restart": {
    description: "Restart a process inside the targets (one-shot).",
    params: { targets: targets(["patroni", "etcd"]), process: processParam },
    check: processMatchesTargets,
  },
  "container-pause": {
    description: "Freeze whole containers (docker pause) until healed.",
    params: { targets: targets(["patroni", "etcd", "haproxy"]) },
  },
  "container-stop": {
    description: "Stop whole containers (docker stop) until healed.",
    params: { targets: targets(["patroni", "etcd", "haproxy"]) },
  },
  partition: {
    description: "Cut the network between the targets and other nodes (iptables DROP) until healed.",
    params: {
      targets: targets(["patroni", "etcd", "haproxy"], { description: "The isolated nodes." }),
      from: z
        .union([z.literal("all"), z.array(nodeRef(["patroni", "etcd", "haproxy"])).min(1)])
        .default("all")
        .describe("Nodes the targets are cut from: all (default: every other node) or a list."),
      direction: z
        .enum(["both", "in", "out"])
        .default("both")
        .describe("Traffic dropped: both (default), in (to the targets) or out (from the targets)."),
      ports: z
        .array(z.number().int().min(1).max(65535))
        .min(1)
        .optional()
        .describe("Only TCP traffic to or from these ports (on either side) is dropped, e.g. [5432] cuts replication but not the REST API or etcd (optional; default: all traffic)."),
    },
  },
  "clock-skew": {
    description: "Shift the wall clock seen by processes of the targets.",
    params: {
      targets: targets(["patroni", "etcd"]),
      offset: signedDuration("Clock offset applied to the targets (required)."),
      processes: z
        .enum(["all", "etcd", "patroni", "postgres"])
        .default("all")
        .describe("Which processes see the skewed clock: all (default), etcd, patroni or postgres."),
      drift: signedDuration("Additional drift per minute of real time (optional).").optional(),
      method: z
        .enum(["shim", "faketime"])
        .default("shim")
        .describe("How the clock is skewed: shim (default, also reaches Go programs such as etcd) or faketime (LD_PRELOAD libfaketime; does not reach etcd)."),
    },
  },
  "etcd-dns-break": {
    description:
      "Break name resolution on one etcd member and cut its existing peer connections: it accepts clients but cannot reach quorum (incident 2).",
    params: { targets: targets(["etcd"], { max: 1, description: "The one etcd member whose DNS breaks." }) },
  },
  "watch-stall": {
    description:
      "Stall the DCS watch stream of Patroni nodes: the stream stays open but delivers no events; other requests work (incident 3). Needs the DCS proxy (topology.dcs_proxy, on by default when a proxy fault is used).",
    params: {
      targets: targets(["patroni"]),
      release_after: duration("Release the stall by itself after this long (optional; otherwise at heal).").optional(),
      release: z
        .enum(RELEASE_MODES as [ReleaseMode, ...ReleaseMode[]])
        .default("drop")
        .describe(
          "What the release does with the withheld events: drop (default: they are lost, the stream carries on; as in incident 3), deliver (they arrive late, in order) or close (they are lost and the stream is reset, so Patroni opens a new watch and rebuilds its cache).",
        ),
    },
  },
  "dcs-latency": {
    description: "Delay what Patroni nodes receive from etcd (answers, and each message of watch streams) through the DCS proxy, per request kind.",
    params: {
      targets: targets(["patroni"]),
      latency: duration("Added delay (required)."),
      jitter: duration("The delay varies uniformly within ± this (optional, default 0).").optional(),
      requests: requestKinds,
      etcd: z.array(nodeRef(["etcd"])).min(1).optional().describe("Only the connections to these etcd members (optional; default every member)."),
    },
  },
  "dcs-error": {
    description:
      "Make etcd requests of Patroni nodes fail through the DCS proxy, per request kind: unavailable (HTTP 503, gRPC code 14, etcd's JSON error body), reset (TCP reset; at inject also the open connections that carried those kinds, so requests: [watch] cuts the open watch stream) or blackhole (no answer ever; the connection stays open).",
    params: {
      targets: targets(["patroni"]),
      error: z.enum(TOXIC_FAULTS as [ToxicFault, ...ToxicFault[]]).describe("unavailable, reset or blackhole (required)."),
      requests: requestKinds,
      probability: z.number().min(0).max(1).default(1).describe("Share of matching requests that fail, 0..1 (default 1)."),
      message: z.string().optional().describe("For unavailable: the error message (default 'etcdserver: request timed out')."),
      etcd: z.array(nodeRef(["etcd"])).min(1).optional().describe("Only the connections to these etcd members (optional; default every member)."),
    },
  },
  "connect-address": {
    description: "Make one node's advertised restapi.connect_address reach another node's REST API (incident 4).",
    params: {
      targets: targets(["patroni"], { max: 1, description: "The one Patroni node whose connect_address is wrong." }),
      points_to: nodeRef(["patroni"], "The Patroni node whose REST API the wrong address reaches (required)."),
      live: z
        .boolean()
        .default(false)
        .describe("Apply to the running cluster (edit and reload) instead of at cluster creation (default false)."),
    },
  },
} as const satisfies Record<string, FaultSpec>;

export type FaultType = keyof typeof FAULT_PARAMS;
export const FAULT_TYPES = Object.keys(FAULT_PARAMS) as FaultType[];

/** Used by the schema to describe the common `duration` key on fault steps. */
export const faultDuration = () => duration("Heal the fault automatically after this long (optional).");
