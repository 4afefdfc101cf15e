import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { TOXIC_FAULTS, type ToxicFault } from "../../dcs-proxy/types.js";
import { defineFault } from "../kind.js";
import { REQUEST_KINDS } from "../../dcs-proxy/request-kind.js";
import { requestKinds } from "../shared/params.js";
import { DcsToxicFault, errorToxic } from "../shared/dcs-toxic.js";

export const dcsError = defineFault({
  type: "dcs-error",
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
  needsDcsProxy: true,
  docs: {
    params: "`targets` (Patroni nodes), `error: unavailable\\|reset\\|blackhole` (required), `requests` (kinds), `probability` (0..1, default 1), `message`, `etcd` (etcd NodeRefs)",
    what: "matching requests fail: `unavailable` answers HTTP 503 with etcd's JSON error (`code: 14`, default message `etcdserver: request timed out`, what Patroni reads as `Unavailable`), `reset` resets the connection (and, at inject, the open connections that carried those kinds: `requests: [watch]` cuts the open watch stream), `blackhole` never answers (the client's timeout decides). Proxy",
  },
  explore: {
    params: (g) =>
      g.fc.record(
        {
          targets: g.targets(["patroni"]),
          error: g.fc.constantFrom(...TOXIC_FAULTS),
          requests: g.fc.subarray([...REQUEST_KINDS], { minLength: 1 }),
          probability: g.fc.integer({ min: 1, max: 10 }).map((n) => n / 10),
          etcd: g.names(["etcd"]),
        },
        { requiredKeys: ["targets", "error"] },
      ),
  },
  build: (p, { resolve }) => new DcsToxicFault("dcs-error", p.targets.map(resolve), errorToxic(p, p.etcd?.map(resolve))),
});
