import { StringDecoder } from "node:string_decoder";

/**
 * The body of an etcd v3 watch response through the gRPC gateway is a sequence of JSON
 * objects, one per gRPC WatchResponse, each followed by a newline, each flushed as it is sent
 * (HTTP/1.1 chunked; etcd 3.4 vendors grpc-gateway v1):
 *
 *   {"result":{"header":{"cluster_id":"..","member_id":"..","revision":"42","raft_term":"2"},"created":true}}
 *   {"result":{"header":{..,"revision":"43"},"events":[{"kv":{"key":"<b64>","create_revision":"..","mod_revision":"43","version":"1","value":"<b64>","lease":".."}}]}}
 *   {"result":{"header":{..},"events":[{"type":"DELETE","kv":{"key":"<b64>","mod_revision":"44"}}]}}
 *   {"error":{"grpc_code":14,"http_code":503,"message":"..","http_status":"Service Unavailable"}}
 *
 * Chunk boundaries are not message boundaries (Patroni's reader joins chunks and decodes
 * objects with raw_decode), so the proxy cuts the stream into whole objects itself: this
 * splitter tracks braces outside strings, whatever the whitespace or delimiter.
 */
export class JsonMessageSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private buf = "";
  /** Scan position in buf, depth and string state carried across pushes. */
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /**
   * Feeds bytes; returns every message completed by them, with the whitespace that follows it
   * when that came along (else the whitespace comes later as a piece of its own).
   */
  push(chunk: Buffer | string): string[] {
    this.buf += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    const out: string[] = [];
    const s = this.buf;
    let cut = 0;
    for (let i = this.pos; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (c === 0x22) {
        this.inString = true;
        if (this.depth === 0) this.start = this.start < 0 ? i : this.start;
      } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
        if (this.depth === 0 && this.start < 0) this.start = i;
        this.depth++;
      } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        this.depth = Math.max(0, this.depth - 1);
        if (this.depth === 0) {
          // Whole message: include the whitespace (delimiter) that follows, if it is here yet.
          let end = i + 1;
          while (end < s.length && isSpace(s.charCodeAt(end))) end++;
          out.push(s.slice(cut, end));
          cut = end;
          i = end - 1;
          this.start = -1;
        }
      } else if (this.depth === 0 && !isSpace(c) && this.start < 0) {
        // Not JSON (should not happen): pass it on with the next message.
        this.start = i;
      }
    }
    // Only whitespace left (a delimiter that came after its message): hand it on now, so a
    // reader that waits for the newline is not kept waiting for the next message.
    if (this.start < 0 && this.depth === 0 && !this.inString && cut < s.length) {
      out.push(s.slice(cut));
      cut = s.length;
    }
    this.buf = s.slice(cut);
    this.pos = this.buf.length;
    if (this.start >= 0) this.start -= cut;
    return out;
  }

  /** Whatever is buffered and not a whole message yet (sent as is when the stream ends). */
  rest(): string {
    const r = this.buf + this.decoder.end();
    this.buf = "";
    this.pos = 0;
    this.start = -1;
    this.depth = 0;
    return r;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** One key change carried by a watch message. */
export interface WatchEventInfo {
  type: "PUT" | "DELETE";
  key: string;
  modRevision: number;
  /** Decoded value (PUT), cut to 80 characters. */
  value?: string;
}

/** What a watch message carries, for counting and for the timeline. */
export interface WatchMessageInfo {
  /** Key changes in it (0 for created/progress/cancel messages). */
  events: WatchEventInfo[];
  created: boolean;
  canceled: boolean;
  /** An in-stream error ({"error": {...}}). */
  error?: string;
  /** header.revision. */
  revision?: number;
  /** The header as etcd sent it (cluster_id, member_id, revision, raft_term). */
  header?: Record<string, unknown>;
  /** The text was not JSON. */
  unparsed?: boolean;
}

const unb64 = (s: unknown) => (typeof s === "string" ? Buffer.from(s, "base64").toString("utf8") : "");

interface RawMessage {
  result?: {
    header?: { revision?: string } & Record<string, unknown>;
    created?: boolean;
    canceled?: boolean;
    events?: { type?: string; kv?: { key?: string; value?: string; mod_revision?: string } }[];
  };
  error?: { message?: string } | string;
}

export function describeWatchMessage(text: string): WatchMessageInfo {
  let m: RawMessage;
  try {
    m = JSON.parse(text) as RawMessage;
  } catch {
    return { events: [], created: false, canceled: false, unparsed: true };
  }
  const r = m.result ?? {};
  const events = (r.events ?? []).map((e): WatchEventInfo => {
    const type = e.type === "DELETE" ? "DELETE" : "PUT";
    const ev: WatchEventInfo = { type, key: unb64(e.kv?.key), modRevision: Number(e.kv?.mod_revision ?? 0) };
    if (type === "PUT") ev.value = unb64(e.kv?.value).slice(0, 80);
    return ev;
  });
  const info: WatchMessageInfo = { events, created: !!r.created, canceled: !!r.canceled };
  if (r.header?.revision !== undefined) info.revision = Number(r.header.revision);
  if (r.header) info.header = r.header;
  if (m.error !== undefined) info.error = typeof m.error === "string" ? m.error : (m.error.message ?? JSON.stringify(m.error));
  return info;
}

/**
 * The message etcd sends on a watch stream when it cancels the watcher (its start revision was
 * compacted): the header, `canceled: true` and `compact_revision`, then nothing more on that
 * stream, which stays open. As the gateway writes it (proto field names, int64 as strings,
 * defaults omitted; watch_id 0 of the gateway's single watcher omitted), newline-delimited.
 */
export function cancelMessage(header: Record<string, unknown> | undefined, compactRevision: number): string {
  const result: Record<string, unknown> = {};
  if (header) result.header = header;
  result.canceled = true;
  result.compact_revision = String(compactRevision);
  return JSON.stringify({ result }) + "\n";
}
