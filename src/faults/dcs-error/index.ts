import { z } from "zod";
import { nodeRef, targets } from "../../scenario/primitives.js";
import { ERROR_SHAPES, TOXIC_FAULTS, type ErrorShape, type ToxicFault } from "../../dcs-proxy/types.js";
import { defineFault } from "../kind.js";
import { REQUEST_KINDS } from "../../dcs-proxy/request-kind.js";
import { requestKinds } from "../shared/params.js";
import { DcsToxicFault, errorToxic } from "../shared/dcs-toxic.js";

export const dcsError = defineFault({
  type: "dcs-error",
  description:
    "Make etcd requests of Patroni nodes fail through the DCS proxy, per request kind: unavailable (HTTP 503, gRPC code 14, etcd's JSON error body), unknown (HTTP 500, gRPC code 2, e.g. etcd's 'not a primary lessor' on a lease keepalive), reset (TCP reset; at inject also the open connections that carried those kinds, so requests: [watch] cuts the open watch stream) or blackhole (no answer ever; the connection stays open). `shape` picks the error body of etcd's gateway version.",
  params: {
    targets: targets(["patroni"]),
    error: z.enum(TOXIC_FAULTS as [ToxicFault, ...ToxicFault[]]).describe("unavailable, unknown, reset or blackhole (required)."),
    requests: requestKinds,
    probability: z.number().min(0).max(1).default(1).describe("Share of matching requests that fail, 0..1 (default 1)."),
    message: z
      .string()
      .optional()
      .describe("For unavailable and unknown: the error message (default 'etcdserver: request timed out' for unavailable, 'not a primary lessor' for unknown)."),
    shape: z
      .enum(ERROR_SHAPES as [ErrorShape, ...ErrorShape[]])
      .default("unary-v1")
      .describe(
        "For unavailable and unknown: the error body, as etcd's gRPC gateway writes it. unary-v1 (default): grpc-gateway v1's unary body {\"error\": m, \"code\": c, \"message\": m} on every request kind. gateway-v1: etcd 3.4/3.5 per kind: the streaming methods (watch, lease-keepalive) answer a stream error chunk {\"error\": {\"grpc_code\": c, \"http_code\": h, \"message\": m, \"http_status\": s}}, the others the unary body. gateway-v2: etcd 3.6+ (grpc-gateway v2): {\"error\": {\"code\": c, \"message\": m}} on watch and lease-keepalive, {\"code\": c, \"message\": m} on the others.",
      ),
    etcd: z.array(nodeRef(["etcd"])).min(1).optional().describe("Only the connections to these etcd members (optional; default every member)."),
  },
  needsDcsProxy: true,
  docs: {
    params:
      "`targets` (Patroni nodes), `error: unavailable\\|unknown\\|reset\\|blackhole` (required), `requests` (kinds), `probability` (0..1, default 1), `message`, `shape: unary-v1\\|gateway-v1\\|gateway-v2` (default `unary-v1`), `etcd` (etcd NodeRefs)",
    what: "matching requests fail: `unavailable` answers HTTP 503 with etcd's JSON error (`code: 14`, default message `etcdserver: request timed out`, what Patroni reads as `Unavailable`), `unknown` HTTP 500 with `code: 2` (default message `not a primary lessor`, what etcd answers a lease keepalive when the member lost its leadership); `shape` is the body: `unary-v1` grpc-gateway v1's unary body on every kind (`{\"error\": m, \"code\": c, \"message\": m}`), `gateway-v1` as etcd 3.4/3.5 answer per kind (watch and lease-keepalive: the stream chunk `{\"error\": {\"grpc_code\": c, \"http_code\": h, ...}}`), `gateway-v2` as etcd 3.6+ answer (watch and lease-keepalive: `{\"error\": {\"code\": c, \"message\": m}}`; others `{\"code\": c, \"message\": m}`); `reset` resets the connection (and, at inject, the open connections that carried those kinds: `requests: [watch]` cuts the open watch stream), `blackhole` never answers (the client's timeout decides). Proxy",
  },
  explore: {
    params: (g) =>
      g.fc.record(
        {
          targets: g.targets(["patroni"]),
          error: g.fc.constantFrom(...TOXIC_FAULTS),
          requests: g.fc.subarray([...REQUEST_KINDS], { minLength: 1 }),
          probability: g.fc.integer({ min: 1, max: 10 }).map((n) => n / 10),
          shape: g.fc.constantFrom(...ERROR_SHAPES),
          etcd: g.names(["etcd"]),
        },
        { requiredKeys: ["targets", "error"] },
      ),
  },
  build: (p, { resolve }) => new DcsToxicFault("dcs-error", p.targets.map(resolve), errorToxic(p, p.etcd?.map(resolve))),
});
