import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { REQUEST_KINDS } from "../../dcs-proxy/request-kind.js";
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
  explore: {
    params: (g) =>
      g.fc.record(
        {
          targets: g.targets(["patroni"]),
          // Up to a little over retry_timeout: from a slow DCS to one Patroni gives up on.
          latency: g.duration(50, g.timings.retry_timeout * 1000 + 2000),
          jitter: g.duration(50, 1000),
          requests: g.fc.subarray([...REQUEST_KINDS], { minLength: 1 }),
          etcd: g.names(["etcd"]),
        },
        { requiredKeys: ["targets", "latency"] },
      ),
  },
  build: (p, { resolve }) => new DcsToxicFault("dcs-latency", p.targets.map(resolve), latencyToxic(p, p.etcd?.map(resolve))),
});
