import http from "node:http";
import type net from "node:net";
import { REQUEST_KINDS, requestKind, type RequestKind } from "./request-kind.js";
import { JsonMessageSplitter, cancelMessage, describeWatchMessage, type WatchMessageInfo } from "./watch-messages.js";
import type { CancelReport, DcsProxyNotice, ErrorShape, ReleaseMode, ReleaseReport, Toxic, ToxicStats } from "./types.js";
import { LeaderView } from "./leader-view.js";
import { monoMs } from "../util/time.js";

export interface DcsProxyOptions {
  /** Address to listen on (the lab network's gateway, so containers reach it). */
  listenHost: string;
  /** Patroni nodes: one listening port per (node, member). */
  nodes: string[];
  /** etcd members. */
  members: string[];
  /** Where a member's client port is now (asked per new upstream connection: addresses change on restart). */
  upstream: (member: string) => { host: string; port: number };
  /** The leader key (e.g. /service/<scope>/leader), to follow each node's view of it. */
  leaderKey?: string;
  /** The harness's seeded random source for jitter and error probabilities (default Math.random). */
  random?: () => number;
}

interface Route {
  node: string;
  member: string;
  port: number;
  server: http.Server;
}

/** Answered by the proxy itself, not forwarded: a reachability check. */
export const PING_PATH = "/pgchaos-dcs-proxy/ping";

/** Hop-by-hop headers are the proxy's own business on each side. */
const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"]);

function endToEnd(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v;
  return out;
}

const zeroCounts = () => Object.fromEntries(REQUEST_KINDS.map((k) => [k, 0])) as Record<RequestKind, number>;

class NodeState {
  readonly toxics = new Map<string, { toxic: Toxic; stats: ToxicStats }>();
  stallSince?: number;
  readonly streams = new Set<WatchStream>();
  readonly requests = zeroCounts();
  /** Client connections: the etcd member each goes to and the kinds of request it has carried. */
  readonly sockets = new Map<net.Socket, { member: string; kinds: Set<RequestKind> }>();
  /** What the streams closed while stalled had withheld (counted in the next release report). */
  lost = { messages: 0, events: 0, changes: [] as string[] };
  readonly view = new LeaderView();
  constructor(readonly name: string) {}
}

let streamSeq = 0;

/**
 * One watch stream: the proxy cuts etcd's response into messages and forwards them one by one,
 * withholding them while the node is stalled, delaying them under a latency toxic.
 */
class WatchStream {
  readonly id = ++streamSeq;
  readonly openedAt = monoMs();
  stalled = false;
  /** A cancelation was sent (cancelWatch): nothing more is delivered; the stream stays open. */
  canceled = false;
  /** What etcd sent after the cancelation and the client never got. */
  afterCancel = { messages: 0, events: 0 };
  /** The header of the last message etcd sent (for a cancelation message of the same cluster and term). */
  lastHeader?: Record<string, unknown>;
  lastRevision?: number;
  delivered = { messages: 0, events: 0 };
  withheld: { text: string; info: WatchMessageInfo }[] = [];
  /** etcd ended the response (or it broke). */
  upstreamDone = false;
  private finished = false;
  /** Messages waiting for their latency to pass, in order. */
  private queue: { due: number; text: string }[] = [];
  private timer?: NodeJS.Timeout;
  readonly splitter = new JsonMessageSplitter();

  constructor(
    readonly node: NodeState,
    readonly member: string,
    readonly res: http.ServerResponse,
    readonly upstream: http.ClientRequest,
    private readonly latency: () => number,
    private readonly onDelivered: (info: WatchMessageInfo) => void,
  ) {}

  message(text: string) {
    if (this.canceled && !text.trim()) return;
    if (!text.trim()) {
      // A delimiter that came after its message: it goes with that message.
      const last = this.withheld[this.withheld.length - 1];
      if (this.stalled && last) last.text += text;
      else this.send(text);
      return;
    }
    const info = describeWatchMessage(text);
    if (info.header) this.lastHeader = info.header;
    if (info.revision !== undefined) this.lastRevision = info.revision;
    if (this.canceled) {
      // A canceled watch delivers nothing more (etcd sends nothing after the cancelation).
      this.afterCancel.messages++;
      this.afterCancel.events += info.events.length;
      return;
    }
    if (this.stalled) this.withheld.push({ text, info });
    else this.send(text, info);
  }

  /** Writes a message (counted) or a bare delimiter (`info` absent), after any latency. */
  send(text: string, info?: WatchMessageInfo) {
    if (this.finished) return;
    if (info) {
      this.delivered.messages++;
      this.delivered.events += info.events.length;
      this.onDelivered(info);
    }
    const delay = info ? this.latency() : 0;
    if (delay <= 0 && !this.queue.length) {
      this.res.write(text);
      return;
    }
    this.queue.push({ due: monoMs() + delay, text });
    this.pump();
  }

  private pump() {
    if (this.timer || this.finished) return;
    const head = this.queue[0];
    if (!head) {
      if (this.upstreamDone && !this.stalled) this.end();
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = monoMs();
        while (this.queue.length && this.queue[0].due <= now + 0.5) this.res.write(this.queue.shift()!.text);
        this.pump();
      },
      Math.max(0, head.due - monoMs()),
    );
  }

  upstreamEnded() {
    const rest = this.splitter.rest();
    if (rest.trim()) this.message(rest);
    this.upstreamDone = true;
    if (!this.stalled && !this.queue.length) this.end();
  }

  /** Ends the stream cleanly (the last chunk), once everything queued is written. */
  private end() {
    if (this.finished) return;
    this.finished = true;
    this.res.end();
  }

  /** Resets the client's connection (and so the upstream request). */
  destroy() {
    if (this.finished && this.res.writableEnded) return;
    this.finished = true;
    clearTimeout(this.timer);
    this.res.socket?.resetAndDestroy();
    this.res.destroy();
    this.upstream.destroy();
  }

  /** Client went away: stop everything. */
  closed() {
    this.finished = true;
    clearTimeout(this.timer);
    this.upstream.destroy();
  }

  /**
   * Sends etcd's cancelation message now (ahead of anything withheld or queued, which is
   * dropped: a canceled watcher's events never arrive) and delivers nothing from then on.
   */
  cancel(compactRevision: number): number {
    const dropped = this.withheld.reduce((n, m) => n + m.info.events.length, 0);
    this.withheld = [];
    this.queue = [];
    clearTimeout(this.timer);
    this.timer = undefined;
    this.canceled = true;
    if (!this.finished) this.res.write(cancelMessage(this.lastHeader, compactRevision));
    return dropped;
  }

  release(mode: ReleaseMode): { messages: number; events: number; delivered: number; dropped: number; changes: string[] } {
    const held = this.withheld;
    this.withheld = [];
    this.stalled = false;
    if (this.canceled) return { messages: 0, events: 0, delivered: 0, dropped: 0, changes: [] };
    const r = { messages: held.length, events: 0, delivered: 0, dropped: 0, changes: [] as string[] };
    for (const m of held) {
      r.events += m.info.events.length;
      for (const e of m.info.events) r.changes.push(`${e.type} ${e.key}`);
    }
    if (mode === "close") {
      r.dropped = r.events;
      this.destroy();
      return r;
    }
    for (const m of held) {
      if (mode === "deliver") {
        r.delivered += m.info.events.length;
        this.send(m.text, m.info);
      } else if (m.info.events.length) r.dropped += m.info.events.length;
      // drop: control messages (created, canceled, errors, progress) still arrive.
      else this.send(m.text, m.info);
    }
    if (this.upstreamDone && !this.queue.length) this.end();
    else this.pump();
    return r;
  }
}

/**
 * An HTTP proxy in front of etcd's client port that understands the v3 JSON API well enough to
 * fault one Patroni node's DCS traffic by request kind: stall its watch streams (open, nothing
 * delivered), add latency, answer errors, reset or swallow requests. One listening port per
 * (Patroni node, etcd member): Patroni's etcd3 `hosts` list the node's ports and
 * `use_proxies: true` keeps it from bypassing them through etcd's member list.
 *
 * Each client connection gets its own upstream connection (an agent with one socket), so a
 * connection the client closes is closed upstream and one etcd closes is closed to the client:
 * the proxy adds no pooling of its own. It sets no timeouts: the client's decide, as they would
 * against etcd directly.
 *
 * In a lab it runs in a container of its own on the lab network (container-main.ts, started and
 * driven by container-proxy.ts), so it sits next to etcd whatever Docker engine runs the lab.
 */
export class DcsProxy {
  readonly nodes: readonly string[];
  readonly members: readonly string[];
  private readonly routes: Route[] = [];
  private readonly state = new Map<string, NodeState>();
  private readonly listeners = new Set<(n: DcsProxyNotice) => void>();
  private readonly agents = new WeakMap<net.Socket, http.Agent>();
  private toxicSeq = 0;
  private closed = false;
  private readonly random: () => number;

  private constructor(private readonly opts: DcsProxyOptions) {
    this.nodes = [...opts.nodes];
    this.members = [...opts.members];
    this.random = opts.random ?? Math.random;
    for (const n of opts.nodes) this.state.set(n, new NodeState(n));
  }

  /** Listens on one port per (node, member); resolves once every port is bound. */
  static async start(opts: DcsProxyOptions): Promise<DcsProxy> {
    const p = new DcsProxy(opts);
    try {
      for (const node of opts.nodes) for (const member of opts.members) await p.listen(node, member);
    } catch (e) {
      await p.close();
      throw e;
    }
    return p;
  }

  private async listen(node: string, member: string) {
    const server = http.createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 60_000, noDelay: true });
    // etcd keeps idle client connections open; so does the proxy.
    server.keepAliveTimeout = 0;
    const route: Route = { node, member, port: 0, server };
    server.on("connection", (s: net.Socket) => {
      s.setNoDelay(true);
      const st = this.node(node);
      st.sockets.set(s, { member, kinds: new Set() });
      s.on("close", () => {
        st.sockets.delete(s);
        this.agents.get(s)?.destroy();
      });
    });
    server.on("request", (req, res) => this.onRequest(route, req, res));
    server.on("clientError", (_e, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, this.opts.listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
    route.port = (server.address() as net.AddressInfo).port;
    this.routes.push(route);
  }

  address(node: string, member: string): string {
    const r = this.routes.find((x) => x.node === node && x.member === member);
    if (!r) throw new Error(`dcs proxy: no route for ${node} -> ${member}`);
    return `${this.opts.listenHost}:${r.port}`;
  }

  routeOf(port: number): { node: string; member: string } | undefined {
    const r = this.routes.find((x) => x.port === port);
    return r && { node: r.node, member: r.member };
  }

  /** Every (node, member) and the port that carries it. */
  listRoutes(): { node: string; member: string; port: number }[] {
    return this.routes.map((r) => ({ node: r.node, member: r.member, port: r.port }));
  }

  /** Every route, for people: "pg1 -> e1 at 172.18.0.1:40001". */
  describeRoutes(): string[] {
    return this.routes.map((r) => `${r.node} -> ${r.member} at ${this.opts.listenHost}:${r.port}`);
  }

  private node(name: string): NodeState {
    const s = this.state.get(name);
    if (!s) throw new Error(`dcs proxy: unknown node '${name}' (nodes: ${this.nodes.join(", ")})`);
    return s;
  }

  onNotice(listener: (n: DcsProxyNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notice(n: DcsProxyNotice) {
    for (const l of this.listeners) {
      try {
        l(n);
      } catch {
        // a listener's failure is not the proxy's
      }
    }
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Requests                                                                                 */

  /** Latency and fault for one request of `kind` (counts it against the toxics it matches). */
  private decide(st: NodeState, kind: RequestKind, member: string, count = true): { latencyMs: number; toxic?: Toxic } {
    let latencyMs = 0;
    let hit: Toxic | undefined;
    for (const { toxic, stats } of st.toxics.values()) {
      if (toxic.kinds && !toxic.kinds.includes(kind)) continue;
      if (toxic.members && !toxic.members.includes(member)) continue;
      if (count) stats.matched++;
      const j = toxic.jitterMs ?? 0;
      latencyMs += Math.max(0, (toxic.latencyMs ?? 0) + (j ? (this.random() * 2 - 1) * j : 0));
      if (toxic.fault && !hit && count && this.random() < (toxic.probability ?? 1)) {
        hit = toxic;
        stats.faulted++;
      }
    }
    return { latencyMs, toxic: hit };
  }

  private agentFor(socket: net.Socket): http.Agent {
    let a = this.agents.get(socket);
    if (!a) {
      a = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
      this.agents.set(socket, a);
    }
    return a;
  }

  private onRequest(route: Route, req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.url === PING_PATH) {
      // The proxy's own answer (no etcd involved): can a container reach it at all?
      req.resume();
      res.writeHead(200, { "content-type": "text/plain", "content-length": 4 });
      res.end("pong");
      return;
    }
    const st = this.node(route.node);
    const kind = requestKind(req.url);
    st.requests[kind]++;
    st.sockets.get(req.socket)?.kinds.add(kind);
    const { latencyMs, toxic } = this.decide(st, kind, route.member);
    if (toxic?.fault === "reset") {
      req.socket.resetAndDestroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      if (toxic?.fault === "blackhole") return; // never answered; closed when the client gives up
      const body = Buffer.concat(chunks);
      if (toxic?.fault === "unavailable" || toxic?.fault === "unknown") {
        const { status, body: text } = errorAnswer(toxic.fault, kind, toxic.message, toxic.shape);
        const answer = () => {
          if (res.destroyed) return;
          res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        };
        if (latencyMs > 0) setTimeout(answer, latencyMs);
        else answer();
        return;
      }
      this.forward(route, st, kind, req, res, body, latencyMs);
    });
  }

  private forward(route: Route, st: NodeState, kind: RequestKind, req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, latencyMs: number) {
    const target = this.opts.upstream(route.member);
    const headers = endToEnd(req.headers);
    if (body.length || req.method === "POST" || req.method === "PUT") headers["content-length"] = body.length;
    const up = http.request({ host: target.host, port: target.port, method: req.method, path: req.url, headers, agent: this.agentFor(req.socket) });
    let stream: WatchStream | undefined;
    // The client gave up (its timeout) or the connection broke: the upstream request goes too.
    res.on("close", () => {
      if (stream) this.streamClosed(st, stream, stream.upstreamDone ? "etcd" : "client");
      else if (!res.writableFinished) up.destroy();
    });
    up.on("error", () => {
      // etcd refused, reset or vanished: the client sees its connection break, as it would directly.
      if (stream) {
        stream.upstreamDone = true;
        this.streamClosed(st, stream, "etcd");
      }
      if (!res.writableFinished) req.socket.destroy();
    });
    up.on("response", (ures) => {
      if (kind === "watch" && ures.statusCode === 200) {
        res.writeHead(200, endToEnd(ures.headers));
        res.flushHeaders();
        stream = new WatchStream(
          st,
          route.member,
          res,
          up,
          () => this.decide(st, "watch", route.member, false).latencyMs,
          (info) => this.fedWatch(st, info),
        );
        if (st.stallSince !== undefined) stream.stalled = true;
        st.streams.add(stream);
        const cr = parseJson(body) as { create_request?: { start_revision?: string } } | undefined;
        const from = cr?.create_request?.start_revision;
        this.notice({
          node: st.name,
          action: "stream-open",
          etcd: route.member,
          stream: stream.id,
          text: `watch #${stream.id} via ${route.member} opened${from ? ` from revision ${from}` : ""}${stream.stalled ? " (stalled: nothing will be delivered until released)" : ""}`,
        });
        const s = stream;
        ures.on("data", (c: Buffer) => {
          for (const m of s.splitter.push(c)) s.message(m);
        });
        ures.on("end", () => s.upstreamEnded());
        ures.on("error", () => {});
        return;
      }
      const watchView = kind === "range" || kind === "put" || kind === "txn" || kind === "delete";
      const parts: Buffer[] = [];
      if (watchView) ures.on("data", (c: Buffer) => parts.push(c));
      ures.on("end", () => {
        if (watchView && ures.statusCode === 200) this.fedResponse(st, kind, body, Buffer.concat(parts));
      });
      const deliver = () => {
        if (res.destroyed) return ures.destroy();
        res.writeHead(ures.statusCode ?? 502, endToEnd(ures.headers));
        ures.pipe(res);
      };
      if (latencyMs > 0) {
        ures.pause();
        setTimeout(deliver, latencyMs);
      } else deliver();
    });
    up.end(body);
  }

  private streamClosed(st: NodeState, s: WatchStream, by: "client" | "etcd" | "proxy") {
    if (!st.streams.delete(s)) return;
    s.closed();
    if (s.withheld.length) {
      st.lost.messages += s.withheld.length;
      for (const m of s.withheld) {
        st.lost.events += m.info.events.length;
        for (const e of m.info.events) st.lost.changes.push(`${e.type} ${e.key}`);
      }
      s.withheld = [];
    }
    const secs = ((monoMs() - s.openedAt) / 1000).toFixed(1);
    this.notice({
      node: st.name,
      action: "stream-close",
      etcd: s.member,
      stream: s.id,
      messages: s.delivered.messages,
      events: s.delivered.events,
      text:
        `watch #${s.id} via ${s.member} closed by ${by === "client" ? "the client" : by === "etcd" ? "etcd (or the connection to it broke)" : "the proxy (reset)"} after ${secs} s: ${s.delivered.messages} messages, ${s.delivered.events} events delivered` +
        (s.canceled ? `; it had been canceled (${s.afterCancel.events} events in ${s.afterCancel.messages} messages not delivered since)` : ""),
    });
  }

  /* ---------------------------------------------------------------------------------------- */
  /* The leader key as each node's cache is fed it                                            */

  private fedWatch(st: NodeState, info: WatchMessageInfo) {
    const key = this.opts.leaderKey;
    if (!key) return;
    for (const e of info.events) if (e.key === key) this.viewChanged(st, st.view.event(e));
  }

  private fedResponse(st: NodeState, kind: RequestKind, reqBody: Buffer, resBody: Buffer) {
    const key = this.opts.leaderKey;
    if (!key) return;
    this.viewChanged(st, st.view.response(key, kind, parseJson(reqBody), parseJson(resBody)));
  }

  private viewChanged(st: NodeState, changed: boolean) {
    if (!changed) return;
    const v = st.view.holder;
    this.notice({ node: st.name, action: "leader-view", leader: v ?? null, text: `${st.name}'s DCS cache is fed leader key: ${v ?? "(none)"}` });
  }

  leaderView(node: string): string | null | undefined {
    return this.node(node).view.holder;
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Faults                                                                                   */

  stallWatch(node: string): void {
    const st = this.node(node);
    if (st.stallSince !== undefined) return;
    st.stallSince = monoMs();
    st.lost = { messages: 0, events: 0, changes: [] };
    for (const s of st.streams) s.stalled = true;
    const open = [...st.streams].map((s) => `#${s.id} via ${s.member}`);
    this.notice({
      node,
      action: "stall",
      text: `watch stalled: ${open.length ? `stream ${open.join(", ")} stays open` : "no stream open yet"}, nothing is delivered; other requests pass`,
    });
  }

  isStalled(node: string): boolean {
    return this.node(node).stallSince !== undefined;
  }

  releaseWatch(node: string, mode: ReleaseMode): ReleaseReport {
    const st = this.node(node);
    const report: ReleaseReport = { node, mode, stalledMs: 0, streams: 0, messages: 0, events: 0, delivered: 0, dropped: 0, changes: [] };
    if (st.stallSince === undefined) return report;
    report.stalledMs = Math.round(monoMs() - st.stallSince);
    st.stallSince = undefined;
    report.messages += st.lost.messages;
    report.events += st.lost.events;
    report.dropped += st.lost.events;
    report.changes.push(...st.lost.changes);
    for (const s of [...st.streams]) {
      report.streams++;
      const r = s.release(mode);
      report.messages += r.messages;
      report.events += r.events;
      report.delivered += r.delivered;
      report.dropped += r.dropped;
      report.changes.push(...r.changes);
      if (mode === "close") this.streamClosed(st, s, "proxy");
    }
    report.changes = report.changes.slice(0, 50);
    const what =
      mode === "deliver"
        ? `${report.delivered} events delivered late`
        : mode === "drop"
          ? `${report.dropped} events dropped, ${report.streams === 1 ? "the stream carries" : "the streams carry"} on`
          : `${report.dropped} events dropped and the stream${report.streams === 1 ? "" : "s"} reset`;
    this.notice({
      node,
      action: "release",
      mode,
      messages: report.messages,
      events: report.events,
      delivered: report.delivered,
      dropped: report.dropped,
      text: `watch released (${mode}) after ${(report.stalledMs / 1000).toFixed(1)} s: ${report.messages} messages with ${report.events} events had been withheld on ${report.streams} open stream${report.streams === 1 ? "" : "s"}; ${what}`,
    });
    return report;
  }

  cancelWatch(node: string, compactRevision?: number | null): CancelReport {
    const st = this.node(node);
    const report: CancelReport = { node, streams: [] };
    for (const s of st.streams) {
      if (s.canceled) continue;
      const compact = compactRevision ?? s.lastRevision ?? 1;
      const dropped = s.cancel(compact);
      report.streams.push({ stream: s.id, etcd: s.member, ...(s.lastRevision !== undefined ? { revision: s.lastRevision } : {}), compactRevision: compact });
      this.notice({
        node,
        action: "cancel",
        etcd: s.member,
        stream: s.id,
        text: `watch #${s.id} via ${s.member} canceled (compact_revision ${compact}${s.lastRevision !== undefined ? `, stream at revision ${s.lastRevision}` : ""}): the stream stays open and delivers nothing more${dropped ? `; ${dropped} withheld events dropped` : ""}`,
      });
    }
    if (!report.streams.length) this.notice({ node, action: "cancel", text: "watch cancel: no open stream to cancel" });
    return report;
  }

  closeCanceled(node: string): number {
    const st = this.node(node);
    let n = 0;
    for (const s of [...st.streams]) {
      if (!s.canceled) continue;
      n++;
      this.streamClosed(st, s, "proxy");
      s.destroy();
    }
    return n;
  }

  addToxic(node: string, toxic: Toxic): string {
    const st = this.node(node);
    const id = `t${++this.toxicSeq}`;
    st.toxics.set(id, { toxic, stats: { matched: 0, faulted: 0 } });
    this.notice({ node, action: "toxic-on", text: `toxic ${id} on: ${describeToxic(toxic)}` });
    return id;
  }

  removeToxic(node: string, id: string): ToxicStats | undefined {
    const st = this.node(node);
    const t = st.toxics.get(id);
    if (!t) return undefined;
    st.toxics.delete(id);
    this.notice({
      node,
      action: "toxic-off",
      matched: t.stats.matched,
      faulted: t.stats.faulted,
      text: `toxic ${id} off (${describeToxic(t.toxic)}): matched ${t.stats.matched} requests${t.toxic.fault ? `, ${t.stats.faulted} hit by ${t.toxic.fault}` : ""}`,
    });
    return { ...t.stats };
  }

  resetConnections(node: string, kinds?: RequestKind[], members?: string[]): number {
    const st = this.node(node);
    let n = 0;
    for (const [sock, seen] of [...st.sockets]) {
      if (kinds && ![...seen.kinds].some((k) => kinds.includes(k))) continue;
      if (members && !members.includes(seen.member)) continue;
      n++;
      for (const w of [...st.streams]) if (w.res.socket === sock) this.streamClosed(st, w, "proxy");
      sock.resetAndDestroy();
    }
    this.notice({ node, action: "reset", text: `reset ${n} connection${n === 1 ? "" : "s"}${kinds ? ` that carried ${kinds.join("/")}` : ""}${members ? ` to ${members.join(", ")}` : ""}` });
    return n;
  }

  watchStreams(node: string) {
    const now = monoMs();
    return [...this.node(node).streams].map((s) => ({ stream: s.id, etcd: s.member, openedMs: Math.round(now - s.openedAt), stalled: s.stalled }));
  }

  requestCounts(node: string): Record<RequestKind, number> {
    return { ...this.node(node).requests };
  }

  /** Stops listening and resets every connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const st of this.state.values()) {
      for (const s of st.streams) s.closed();
      for (const sock of st.sockets.keys()) sock.destroy();
    }
    await Promise.all(this.routes.map((r) => new Promise<void>((resolve) => r.server.close(() => resolve()))));
    this.listeners.clear();
  }
}

function parseJson(b: Buffer): unknown {
  if (!b.length) return undefined;
  try {
    return JSON.parse(b.toString("utf8"));
  } catch {
    return undefined;
  }
}

export function describeToxic(t: Toxic): string {
  const parts: string[] = [];
  if (t.latencyMs) parts.push(`latency ${t.latencyMs} ms${t.jitterMs ? ` ± ${t.jitterMs} ms` : ""}`);
  if (t.fault) {
    const detail = [
      ...(t.fault === "unavailable" || t.fault === "unknown" ? [t.message !== undefined ? `"${t.message}"` : "", t.shape && t.shape !== "unary-v1" ? `${t.shape} body` : ""] : []),
      t.probability !== undefined && t.probability < 1 ? `p=${t.probability}` : "",
    ].filter(Boolean);
    parts.push(`${t.fault}${detail.length ? ` (${detail.join(", ")})` : ""}`);
  }
  if (!parts.length) parts.push("no effect");
  return `${parts.join(", ")} on ${t.kinds ? t.kinds.join("/") : "every"} request${t.members ? ` to ${t.members.join(", ")}` : ""}`;
}

/** The gRPC code, HTTP status and default message of each error answer (grpc-gateway's mapping: 14 -> 503, 2 -> 500). */
const ERROR_ANSWERS = {
  unavailable: { code: 14, status: 503, statusText: "Service Unavailable", message: "etcdserver: request timed out" },
  unknown: { code: 2, status: 500, statusText: "Internal Server Error", message: "not a primary lessor" },
} as const;

/** The streaming methods of etcd's v3 API that Patroni calls through the gateway. */
const STREAMING: readonly RequestKind[] = ["watch", "lease-keepalive"];

/** The HTTP answer etcd's gateway gives when the request of `kind` fails with that gRPC error (see ErrorShape). */
export function errorAnswer(fault: "unavailable" | "unknown", kind: RequestKind, message?: string, shape: ErrorShape = "unary-v1"): { status: number; body: string } {
  const a = ERROR_ANSWERS[fault];
  const m = message ?? a.message;
  const stream = STREAMING.includes(kind);
  let body: unknown;
  if (shape === "gateway-v1" && stream) body = { error: { grpc_code: a.code, http_code: a.status, message: m, http_status: a.statusText } };
  else if (shape === "gateway-v2") body = stream ? { error: { code: a.code, message: m } } : { code: a.code, message: m };
  else body = { error: m, code: a.code, message: m };
  // The gateway ends a stream chunk with its delimiter (a newline); a unary body has none.
  return { status: a.status, body: JSON.stringify(body) + (stream && shape !== "unary-v1" ? "\n" : "") };
}
