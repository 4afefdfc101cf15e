import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { durationParam, requestKinds } from "../shared/params.js";
import { DcsToxicFault, latencyToxic } from "../shared/dcs-toxic.js";

export const dcsLatency = defineFault({
  type: "dcs-latency",
  description: "Delay what Patroni nodes receive from etcd (answers, and each message of watch streams) through the DCS proxy, per request kind.",
  params: {
    targets: targets(["patroni"]),
    latency: durationParam("Added delay (required)."),
    jitter: durationParam("The delay varies uniformly within ± this (optional, default 0).").optional(),
    requests: requestKinds,
    etcd: z.array(nodeRef(["etcd"])).min(1).optional().describe("Only the connections to these etcd members (optional; default every member)."),
  },
  needsDcsProxy: true,
  docs: {
    params: "`targets` (Patroni nodes), `latency` (duration, required), `jitter` (duration), `requests` (kinds), `etcd` (etcd NodeRefs)",
    what: "the targets receive etcd's answers (and each watch message) later by `latency` ± `jitter`; the requests themselves reach etcd at once. Proxy",
  },
  build: (p, { resolve }) => new DcsToxicFault("dcs-latency", p.targets.map(resolve), latencyToxic(p, p.etcd?.map(resolve))),
});
