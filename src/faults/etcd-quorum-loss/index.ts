import { z } from "zod";
import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { majorityOf } from "../shared/etcd-outage.js";
import { EtcdQuorumLoss } from "./etcd-quorum-loss.js";

export const etcdQuorumLoss = defineFault({
  type: "etcd-quorum-loss",
  description: "Take a majority of etcd members away so the cluster loses quorum.",
  params: {
    mode: z.enum(["stop", "pause", "kill"]).default("pause").describe("How members are taken away: stop, pause (default) or kill."),
    targets: targets(["etcd"], { description: "etcd members to take away; at least a majority. Default: a majority (the first floor(M/2)+1 members)." }).optional(),
  },
  semanticCheck: (p, nodes) => {
    const majority = Math.floor(nodes.etcd.length / 2) + 1;
    if (!p.targets || p.targets.length >= majority) return [];
    return [{ path: ["targets"], message: `etcd-quorum-loss needs at least a majority of the etcd members (${majority} of ${nodes.etcd.length}); ${p.targets.length} given` }];
  },
  docs: {
    params: "`mode: stop\\|pause\\|kill` (default `pause`), `targets` (etcd, optional, at least a majority; default the first ⌊M/2⌋+1 members)",
    what: "take a majority away",
  },
  explore: {
    params: (g) =>
      g.fc.record(
        {
          mode: g.fc.constantFrom("pause" as const, "stop" as const, "kill" as const),
          targets: g.names(["etcd"], { min: Math.floor(g.nodes.etcd.length / 2) + 1 }),
        },
        { requiredKeys: ["mode"] },
      ),
    recoveryMs: 10_000,
  },
  build: (p, { lab, resolve }) =>
    new EtcdQuorumLoss(p.targets?.length ? p.targets.map(resolve) : majorityOf(lab.etcdNodes().map((n) => n.name)), p.mode),
});
