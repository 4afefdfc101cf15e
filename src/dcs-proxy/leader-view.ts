import type { RequestKind } from "./request-kind.js";
import type { WatchEventInfo } from "./watch-messages.js";

const b64 = (s: unknown) => (typeof s === "string" ? Buffer.from(s, "base64") : undefined);

/** Does the range [key, rangeEnd) of an etcd request include `target`? (etcd's rules for range_end.) */
export function rangeCovers(target: Buffer, key: Buffer | undefined, rangeEnd: Buffer | undefined): boolean {
  if (!key) return false;
  if (!rangeEnd || rangeEnd.length === 0) return key.equals(target);
  // range_end "\0" means every key >= key.
  if (rangeEnd.length === 1 && rangeEnd[0] === 0) return Buffer.compare(target, key) >= 0;
  return Buffer.compare(target, key) >= 0 && Buffer.compare(target, rangeEnd) < 0;
}

interface RangeReq {
  key?: string;
  range_end?: string;
}
interface KvJson {
  key?: string;
  value?: string;
  mod_revision?: string;
}

/**
 * The holder of the leader key as one Patroni node's KVCache was fed it through the proxy: by
 * range reads covering the key (how the cache is built), by the watch events delivered, and by
 * the node's own successful writes of the key (Patroni puts those into its cache itself).
 * `undefined` until something told.
 */
export class LeaderView {
  holder: string | null | undefined;
  private revision = 0;

  private set(holder: string | null, revision: number): boolean {
    if (revision && revision < this.revision) return false;
    if (revision) this.revision = revision;
    const changed = holder !== this.holder;
    this.holder = holder;
    return changed;
  }

  event(e: WatchEventInfo): boolean {
    return this.set(e.type === "DELETE" ? null : (e.value ?? ""), e.modRevision);
  }

  /** A successful (HTTP 200) answer to a request of `kind`. Returns whether the holder changed. */
  response(leaderKey: string, kind: RequestKind, req: unknown, res: unknown): boolean {
    const target = Buffer.from(leaderKey, "utf8");
    const rq = (req ?? {}) as RangeReq & { value?: string; success?: { request_put?: KvJson; request_delete_range?: RangeReq }[] };
    const rs = (res ?? {}) as { kvs?: KvJson[]; header?: { revision?: string }; succeeded?: boolean; deleted?: string };
    const revision = Number(rs.header?.revision ?? 0);
    switch (kind) {
      case "range": {
        if (!rangeCovers(target, b64(rq.key), b64(rq.range_end))) return false;
        const kv = (rs.kvs ?? []).find((x) => b64(x.key)?.equals(target));
        // A range read is a snapshot at its revision: older than what the watch already fed is ignored.
        return this.set(kv ? (b64(kv.value)?.toString("utf8") ?? "") : null, revision);
      }
      case "put":
        return b64(rq.key)?.equals(target) ? this.set(b64(rq.value)?.toString("utf8") ?? "", revision) : false;
      case "delete":
        return rangeCovers(target, b64(rq.key), b64(rq.range_end)) ? this.set(null, revision) : false;
      case "txn": {
        if (!rs.succeeded) return false;
        let changed = false;
        for (const op of rq.success ?? []) {
          if (op.request_put && b64(op.request_put.key)?.equals(target)) changed = this.set(b64(op.request_put.value)?.toString("utf8") ?? "", revision) || changed;
          if (op.request_delete_range && rangeCovers(target, b64(op.request_delete_range.key), b64(op.request_delete_range.range_end)))
            changed = this.set(null, revision) || changed;
        }
        return changed;
      }
      default:
        return false;
    }
  }
}
