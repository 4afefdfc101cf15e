import type { DcsProxyEvent } from "../history/events.js";
import type { RequestKind } from "./request-kind.js";

/**
 * What happens to the events a stalled watch stream withheld when the stall is released:
 * - `drop`: they are lost; the stream stays open and carries the changes made after the
 *   release (incident 3: the API server stopped pushing events on a stream it kept open, and
 *   the replica did not recover by itself once the DCS was back: those events never arrived);
 * - `deliver`: they arrive late, in order, then the stream carries on (a slow or congested
 *   link: the client catches up by itself);
 * - `close`: they are lost and the stream is closed (reset): the client must open a new watch,
 *   and Patroni rebuilds its cache from a fresh range read (the etcd link restored).
 */
export type ReleaseMode = "drop" | "deliver" | "close";
export const RELEASE_MODES: readonly ReleaseMode[] = ["drop", "deliver", "close"];

/** What a toxic does to a request it hits instead of forwarding it. */
export type ToxicFault =
  /** HTTP 503 with etcd's JSON error body, gRPC code 14 (Unavailable), as etcd answers without quorum. */
  | "unavailable"
  /**
   * HTTP 500 with etcd's JSON error body, gRPC code 2 (Unknown): what etcd answers for a server
   * error it has no gRPC code for, e.g. "not a primary lessor" on a lease keepalive when the
   * member lost its leadership meanwhile (etcd's lease.ErrNotPrimary, not in its v3rpc error map).
   */
  | "unknown"
  /** The client's TCP connection is reset (RST), as toxiproxy's reset_peer. */
  | "reset"
  /** The request is swallowed: the connection stays open and nothing ever answers (as a frozen etcd). */
  | "blackhole";
export const TOXIC_FAULTS: readonly ToxicFault[] = ["unavailable", "unknown", "reset", "blackhole"];

/**
 * The JSON body of an error answer (`unavailable`, `unknown`), as etcd's gRPC gateway writes it:
 * - `unary-v1` (default, the only body before shapes existed): grpc-gateway v1's unary error,
 *   `{"error": m, "code": c, "message": m}`, on every request kind;
 * - `gateway-v1`: as etcd 3.4/3.5 (grpc-gateway v1) answer per kind: the streaming methods
 *   (watch, lease keepalive) fail with a stream error chunk
 *   `{"error": {"grpc_code": c, "http_code": h, "message": m, "http_status": s}}`, the others
 *   with the unary body above;
 * - `gateway-v2`: as etcd 3.6+ (grpc-gateway v2) answer: a stream error chunk
 *   `{"error": {"code": c, "message": m}}` on watch and lease keepalive, the bare status
 *   `{"code": c, "message": m}` on the others.
 * The HTTP status is the gateway's mapping of the gRPC code (14 -> 503, 2 -> 500) in every shape.
 */
export type ErrorShape = "unary-v1" | "gateway-v1" | "gateway-v2";
export const ERROR_SHAPES: readonly ErrorShape[] = ["unary-v1", "gateway-v1", "gateway-v2"];

/**
 * A toxic on one Patroni node's etcd requests (toxiproxy's vocabulary, but per request kind).
 * Latency delays what the node receives (the response, or each message of a watch stream);
 * the request itself reaches etcd at once.
 */
export interface Toxic {
  /** Request kinds it applies to; every kind when absent. */
  kinds?: RequestKind[];
  /** Only connections to these etcd members; every member when absent. */
  members?: string[];
  latencyMs?: number;
  /** Latency varies uniformly within ± jitter. */
  jitterMs?: number;
  fault?: ToxicFault;
  /** Share of matching requests the fault hits, 0..1 (default 1). */
  probability?: number;
  /**
   * For `unavailable` and `unknown`: the error message (default "etcdserver: request timed out",
   * "not a primary lessor").
   */
  message?: string;
  /** For `unavailable` and `unknown`: the body's shape (default `unary-v1`). */
  shape?: ErrorShape;
}

/** What a watch cancelation did on one open stream. */
export interface CancelReport {
  node: string;
  /** The streams that got the cancel message (each stays open and delivers nothing more). */
  streams: { stream: number; etcd: string; revision?: number; compactRevision: number }[];
}

export interface ToxicStats {
  /** Requests (or watch streams) the toxic matched. */
  matched: number;
  /** Requests its fault hit. */
  faulted: number;
}

/** Per stream and in total: what a stall withheld and what its release did with it. */
export interface ReleaseReport {
  node: string;
  mode: ReleaseMode;
  /** Milliseconds the stall lasted. */
  stalledMs: number;
  streams: number;
  /** Messages / key-change events withheld during the stall (including streams closed meanwhile). */
  messages: number;
  events: number;
  /** Events delivered late (deliver) / lost (drop, close, or streams the client closed while stalled). */
  delivered: number;
  dropped: number;
  /** Keys of the withheld events, in order, as `PUT <key>` / `DELETE <key>` (at most 50). */
  changes: string[];
}

/** One thing the proxy did; the timeline records it as a DcsProxyEvent (src/history/events.ts). */
export type DcsProxyNotice = Omit<DcsProxyEvent, "kind" | "t">;

/**
 * What faults and tests may use of a running DCS proxy. The proxy runs as a container on the lab
 * network (container-proxy.ts), so every call that asks it something is a round trip.
 */
export interface DcsProxyControl {
  /** Address (host:port) that carries `node`'s traffic to etcd member `member`. */
  address(node: string, member: string): string;
  /** The (node, member) a listening port carries, e.g. to map a Patroni socket to proxy:port back to an etcd member. */
  routeOf(port: number): { node: string; member: string } | undefined;
  /** Patroni nodes and etcd members it serves. */
  readonly nodes: readonly string[];
  readonly members: readonly string[];
  /** Start withholding every watch message on `node`'s streams (existing and new ones). */
  stallWatch(node: string): Promise<void>;
  /** Whether `node`'s watch streams are stalled. */
  isStalled(node: string): Promise<boolean>;
  /** End the stall; idempotent (a report with zero streams when not stalled). */
  releaseWatch(node: string, mode: ReleaseMode): Promise<ReleaseReport>;
  /**
   * Send a watch cancelation (`canceled: true` with `compact_revision`, as etcd sends when a
   * watcher's revision was compacted) on every open watch stream of `node`, without closing
   * it: from then on the stream stays open and delivers nothing, as etcd does with a canceled
   * watch. `compactRevision` defaults to each stream's last revision.
   */
  cancelWatch(node: string, compactRevision?: number): Promise<CancelReport>;
  /** Reset the canceled streams of `node` still open (the client never closed them); returns how many. */
  closeCanceled(node: string): Promise<number>;
  /** Add a toxic on `node`; returns its id. */
  addToxic(node: string, toxic: Toxic): Promise<string>;
  /** Remove it; returns what it hit (undefined if unknown). Idempotent. */
  removeToxic(node: string, id: string): Promise<ToxicStats | undefined>;
  /**
   * Reset `node`'s connections now: those that carried any of these kinds (e.g. ["watch"]) and go
   * to these members (all when absent). Returns how many.
   */
  resetConnections(node: string, kinds?: RequestKind[], members?: string[]): Promise<number>;
  /** The open watch streams of `node`: member and age. */
  watchStreams(node: string): Promise<{ stream: number; etcd: string; openedMs: number; stalled: boolean }[]>;
  /** Requests seen per kind for `node` since the proxy started. */
  requestCounts(node: string): Promise<Record<RequestKind, number>>;
  /** The leader key as `node`'s cache was last fed it (undefined: not seen yet). */
  leaderView(node: string): Promise<string | null | undefined>;
  /** Subscribe to what it does; returns the unsubscribe function. */
  onNotice(listener: (n: DcsProxyNotice) => void): () => void;
}

/** The calls a DcsProxyControl forwards to the proxy program, by name (the control protocol's methods). */
export const DCS_PROXY_CALLS = ["stallWatch", "isStalled", "releaseWatch", "addToxic", "removeToxic", "resetConnections", "watchStreams", "requestCounts", "leaderView", "cancelWatch", "closeCanceled"] as const;
export type DcsProxyCall = (typeof DCS_PROXY_CALLS)[number];

/**
 * The control protocol between pgchaos and the proxy program (container-main.ts), one JSON
 * object a line: pgchaos writes requests to the program's stdin; the program writes one `ready`
 * line, then replies and notices, to its stdout.
 */
export type ControlRequest = { id: number; call: DcsProxyCall; args: unknown[] };
export type ControlLine =
  | { ready: { routes: { node: string; member: string; port: number }[] } }
  | { notice: DcsProxyNotice }
  | { id: number; result?: unknown; error?: string };
