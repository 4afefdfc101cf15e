import type { Fault, FaultContext } from "../fault.js";
import { describeView, requireProxy } from "../shared/dcs-proxy.js";

/**
 * etcd cancels a watcher (its start revision was compacted) with a message on the watch stream
 * — `canceled: true` and `compact_revision` — and keeps the stream open: nothing more arrives
 * on it. Patroni's etcd3 DCS is documented (release notes of 4.0.7, PR 3426) to close such a
 * stream and open a new watch from a fresh read; before that it ignored the message and kept
 * reading a stream that would never deliver again, so its cache went stale.
 *
 * Through the DCS proxy: inject sends the cancelation on every watch stream the targets have
 * open, and from then on the proxy delivers nothing more on those streams (what etcd sends is
 * dropped), as etcd would. Streams opened later are not affected. Heal resets the canceled
 * streams still open (a client that never closed them), as a broken connection or a restarted
 * etcd member would, so the node opens a new watch.
 */
export class WatchCancel implements Fault {
  readonly type = "watch-cancel";

  constructor(
    readonly targets: string[],
    private readonly compactRevision: number | undefined,
  ) {}

  async inject(ctx: FaultContext) {
    const proxy = requireProxy(ctx, this.type);
    for (const node of this.targets) {
      const r = await proxy.cancelWatch(node, this.compactRevision);
      const what = r.streams.length
        ? r.streams.map((s) => `#${s.stream} via ${s.etcd}${s.revision !== undefined ? ` at revision ${s.revision}` : ""}, compact_revision ${s.compactRevision}`).join("; ")
        : "no watch stream was open: nothing canceled";
      ctx.log(`${node}: watch canceled (${what}); the stream stays open and delivers nothing more; ${await describeView(ctx, proxy, node)}`);
    }
  }

  async heal(ctx: FaultContext, node: string) {
    const proxy = requireProxy(ctx, this.type);
    const n = await proxy.closeCanceled(node);
    ctx.log(
      `${node}: watch-cancel healed: ${n ? `${n} canceled stream(s) the client had kept open reset` : "no canceled stream was still open (the client had closed it)"}; ${await describeView(ctx, proxy, node)}`,
    );
  }
}
