import type { Fault } from "./fault.js";
import type { Lab } from "../lab/lab-api.js";
import { ContainerPause } from "./container-pause.js";
import { ContainerStop } from "./container-stop.js";
import { ConnectAddress } from "./connect-address.js";
import { ClockSkew } from "./clock-skew.js";
import { EtcdQuorumLoss, etcdOutage, majorityOf } from "./etcd-quorum-loss.js";
import { EtcdRebuild } from "./etcd-rebuild.js";
import { EtcdDnsBreak } from "./etcd-dns-break.js";
import { NetworkPartition } from "./network-partition.js";
import { ProcessKill } from "./process-kill.js";
import { ProcessPause } from "./process-pause.js";
import { ProcessRestart } from "./process-restart.js";
import { UserFacingError } from "../util/errors.js";
import { WatchStall } from "./watch-stall.js";
import { DcsToxicFault, errorToxic, latencyToxic } from "./dcs-latency.js";

type Ref = { text: string };
/** A parsed fault step: `fault` names the type; the rest are its parameters. */
export type FaultParams = { fault: string; targets?: Ref[]; [k: string]: unknown };

/** Fault types the scenario format knows but this build cannot inject yet. */
export class FaultNotImplemented extends UserFacingError {}

/** Builds the Fault a scenario step describes, with node references already resolvable. */
export function buildFault(step: FaultParams, id: string, lab: Lab, resolve: (r: Ref) => string): Fault {
  const targets = (step.targets ?? []).map(resolve);
  const etcd = lab.etcdNodes().map((n) => n.name);
  switch (step.fault) {
    case "etcd-stop":
      return etcdOutage(targets, "stop", step.fault);
    case "etcd-pause":
      return etcdOutage(targets, "pause", step.fault);
    case "etcd-kill":
      return etcdOutage(targets, "kill", step.fault);
    case "etcd-quorum-loss":
      return new EtcdQuorumLoss(targets.length ? targets : majorityOf(etcd), (step.mode as "stop" | "pause" | "kill") ?? "pause");
    case "etcd-rebuild":
      return new EtcdRebuild(etcd);
    case "process-kill":
      return new ProcessKill(targets, step.process as never, (step.signal as "KILL" | "TERM") ?? "KILL", !!step.keep_down);
    case "process-pause":
      return new ProcessPause(targets, step.process as never);
    case "process-restart":
      return new ProcessRestart(targets, step.process as never);
    case "container-pause":
      return new ContainerPause(targets);
    case "container-stop":
      return new ContainerStop(targets);
    case "partition": {
      const from = step.from === "all" || step.from === undefined ? undefined : (step.from as Ref[]).map(resolve);
      return new NetworkPartition(targets, from, (step.direction as "both" | "in" | "out") ?? "both", id, step.ports as number[] | undefined);
    }
    case "etcd-dns-break":
      return new EtcdDnsBreak(targets, id);
    case "clock-skew":
      if (step.method === "faketime") {
        throw new FaultNotImplemented(
          "clock-skew method 'faketime' is not implemented: libfaketime never reaches Go programs (etcd) and hangs or crashes Patroni on Python 3.11; use method: shim",
        );
      }
      return new ClockSkew({
        targets,
        offsetMs: step.offset as number,
        processes: (step.processes as "all" | "etcd" | "patroni" | "postgres") ?? "all",
        driftMsPerMin: step.drift as number | undefined,
        id,
      });
    case "connect-address":
      return new ConnectAddress(targets, resolve(step.points_to as Ref), !!step.live);
    case "watch-stall":
      return new WatchStall(targets, step.release_after as number | undefined, (step.release as "drop" | "deliver" | "close") ?? "drop");
    case "dcs-latency":
      return new DcsToxicFault("dcs-latency", targets, latencyToxic(step as never, (step.etcd as Ref[] | undefined)?.map(resolve)));
    case "dcs-error":
      return new DcsToxicFault("dcs-error", targets, errorToxic(step as never, (step.etcd as Ref[] | undefined)?.map(resolve)));
    default:
      throw new FaultNotImplemented(`fault '${step.fault}' is part of the scenario format but not implemented in this version of pgchaos`);
  }
}
