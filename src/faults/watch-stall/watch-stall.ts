import type { Fault, FaultContext } from "../fault.js";
import type { ReleaseMode } from "../../dcs-proxy/types.js";
import { describeView, requireProxy } from "../shared/dcs-proxy.js";
import { errorText } from "../../util/errors.js";

/**
 * Incident 3: a node's DCS watch stream stays open but delivers nothing, while its ordinary
 * requests (range, put, txn, lease keepalive) work. Through the DCS proxy: every watch stream of
 * the targets, open or opened later, is held (its messages withheld) until released — by
 * `release_after`, or at heal. The release drops the withheld events (default, as in the
 * incident: they never arrive, the stream carries on), delivers them late, or closes the stream.
 *
 * Patroni 3.0.2's etcd3 DCS reads the cluster from its watch-fed cache (KVCache) and only
 * restarts the watch when a request to etcd fails, so nothing tells it the stream is stale.
 */
export class WatchStall implements Fault {
  readonly type = "watch-stall";
  private timer?: NodeJS.Timeout;
  private readonly released = new Set<string>();

  constructor(
    readonly targets: string[],
    private readonly releaseAfterMs: number | undefined,
    private readonly mode: ReleaseMode = "drop",
  ) {}

  async inject(ctx: FaultContext) {
    const proxy = requireProxy(ctx, this.type);
    for (const node of this.targets) {
      await proxy.stallWatch(node);
      const streams = await proxy.watchStreams(node);
      const open = streams.length ? streams.map((s) => `#${s.stream} via ${s.etcd}, open ${(s.openedMs / 1000).toFixed(0)} s`).join("; ") : "none open yet";
      ctx.log(
        `${node}: watch stalled (stream ${open}); its kv requests pass; released ${this.releaseAfterMs !== undefined ? `after ${(this.releaseAfterMs / 1000).toFixed(1)} s` : "at heal"} (${this.mode}); ${await describeView(ctx, proxy, node)}`,
      );
    }
    if (this.releaseAfterMs !== undefined)
      this.timer = setTimeout(() => {
        this.release(ctx, "release_after").catch((e: unknown) => ctx.log(`release_after failed: ${errorText(e)}`));
      }, this.releaseAfterMs);
  }

  /** Releases the stall of every target not released yet (release_after), or of one target (heal). */
  private async release(ctx: FaultContext, why: string, nodes: readonly string[] = this.targets) {
    const proxy = requireProxy(ctx, this.type);
    for (const node of nodes) {
      if (this.released.has(node)) continue;
      // Marked before the round trip: release_after and heal never release a node twice.
      this.released.add(node);
      const r = await proxy.releaseWatch(node, this.mode);
      const what = this.mode === "deliver" ? `${r.delivered} delivered late` : `${r.dropped} dropped${this.mode === "close" ? ", stream reset" : ""}`;
      ctx.log(
        `${node}: watch released (${this.mode}, ${why}) after ${(r.stalledMs / 1000).toFixed(1)} s: ${r.events} events in ${r.messages} messages had been withheld on ${r.streams} stream(s), ${what}` +
          `${r.changes.length ? ` [${summariseChanges(r.changes)}]` : ""}; ${await describeView(ctx, proxy, node)}`,
      );
    }
    if (this.released.size === this.targets.length) clearTimeout(this.timer);
  }

  async heal(ctx: FaultContext, node: string) {
    if (this.released.has(node)) {
      ctx.log(`${node}: watch-stall healed (released earlier); ${await describeView(ctx, requireProxy(ctx, this.type), node)}`);
      return;
    }
    await this.release(ctx, "heal", [node]);
  }
}

/** "PUT .../members/pg1 x12, DELETE .../leader, PUT .../leader" with repeated keys folded. */
export function summariseChanges(changes: string[]): string {
  const out: { text: string; n: number }[] = [];
  for (const c of changes) {
    const short = c.replace(/^(PUT|DELETE) \/service\/[^/]+\//, "$1 ");
    const last = out[out.length - 1];
    const same = out.find((o) => o.text === short && !short.includes("leader"));
    if (same) same.n++;
    else if (last && last.text === short) last.n++;
    else out.push({ text: short, n: 1 });
  }
  return out.map((o) => (o.n > 1 ? `${o.text} x${o.n}` : o.text)).join(", ");
}
