/**
 * Every fault kind, one import and one entry each. The scenario schema, semantic checks, the
 * runner, describe-step, the docs table and the JSON Schema all read this. Adding a kind:
 * docs/adding-a-fault.md.
 */
import type { z } from "zod";
import type { FaultBuildContext, FaultKind, ParamsOf } from "./kind.js";
import type { Fault } from "./fault.js";
import { etcdStop } from "./etcd-stop/index.js";
import { etcdPause } from "./etcd-pause/index.js";
import { etcdKill } from "./etcd-kill/index.js";
import { etcdQuorumLoss } from "./etcd-quorum-loss/index.js";
import { etcdRebuild } from "./etcd-rebuild/index.js";
import { processKill } from "./process-kill/index.js";
import { processPause } from "./process-pause/index.js";
import { processRestart } from "./process-restart/index.js";
import { containerPause } from "./container-pause/index.js";
import { containerStop } from "./container-stop/index.js";
import { partition } from "./partition/index.js";
import { clockSkew } from "./clock-skew/index.js";
import { etcdDnsBreak } from "./etcd-dns-break/index.js";
import { watchStall } from "./watch-stall/index.js";
import { watchCancel } from "./watch-cancel/index.js";
import { dcsLatency } from "./dcs-latency/index.js";
import { dcsError } from "./dcs-error/index.js";
import { connectAddress } from "./connect-address/index.js";
import { packetLoss } from "./packet-loss/index.js";

/** Keyed by the name scenarios use; the order is the docs table's and the JSON Schema's. */
export const FAULT_KINDS = {
  "etcd-stop": etcdStop,
  "etcd-pause": etcdPause,
  "etcd-kill": etcdKill,
  "etcd-quorum-loss": etcdQuorumLoss,
  "etcd-rebuild": etcdRebuild,
  "process-kill": processKill,
  "process-pause": processPause,
  "process-restart": processRestart,
  "container-pause": containerPause,
  "container-stop": containerStop,
  partition: partition,
  "clock-skew": clockSkew,
  "etcd-dns-break": etcdDnsBreak,
  "watch-stall": watchStall,
  "watch-cancel": watchCancel,
  "dcs-latency": dcsLatency,
  "dcs-error": dcsError,
  "connect-address": connectAddress,
  "packet-loss": packetLoss,
};

export type FaultType = keyof typeof FAULT_KINDS;
export const FAULT_TYPES = Object.keys(FAULT_KINDS) as FaultType[];

/** Parameters of each kind after parsing. */
export type FaultParamsMap = { [K in FaultType]: ParamsOf<(typeof FAULT_KINDS)[K]["params"]> };
/** The registry seen through its parameter types: `FAULTS[step.fault].build(step, ...)` type-checks per kind. */
export const FAULTS: { [K in FaultType]: FaultKind<(typeof FAULT_KINDS)[K]["params"]> } = FAULT_KINDS;

export function isFaultType(type: string): type is FaultType {
  return Object.hasOwn(FAULT_KINDS, type);
}

/** Kinds whose faults act through the DCS proxy. */
export const DCS_PROXY_FAULTS: readonly FaultType[] = FAULT_TYPES.filter((t) => FAULTS[t].needsDcsProxy);
/** Kinds whose faults stop containers and start them again. */
export const CONTAINER_STOPPING_FAULTS: readonly FaultType[] = FAULT_TYPES.filter((t) => FAULTS[t].stopsContainers);
/** Kinds an `update` step may change live. */
export const LIVE_UPDATABLE: readonly FaultType[] = FAULT_TYPES.filter((t) => FAULTS[t].liveUpdate);
/** Every live-updatable parameter (the `update` step's keys besides `update`, `id`, `note`). */
export const LIVE_UPDATE_PARAMS: z.ZodRawShape = Object.assign({}, ...FAULT_TYPES.map((t) => FAULTS[t].liveUpdate ?? {}));

/** The docs table of faults (docs/scenario-format.md, between its fault-table markers). */
export function faultDocsTable(): string {
  const rows = FAULT_TYPES.map((t) => `| \`${t}\` | ${FAULTS[t].docs.params} | ${FAULTS[t].docs.what} |`);
  return ["| fault | params | what |", "|---|---|---|", ...rows].join("\n");
}

/** Builds the Fault a parsed fault step describes. */
export function buildFault<K extends FaultType>(type: K, params: FaultParamsMap[K], ctx: FaultBuildContext): Fault {
  const kind: FaultKind<(typeof FAULT_KINDS)[K]["params"]> = FAULTS[type];
  return kind.build(params, ctx);
}
