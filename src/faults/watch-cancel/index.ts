import { z } from "zod";
import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { WatchCancel } from "./watch-cancel.js";

export const watchCancel = defineFault({
  type: "watch-cancel",
  description:
    "etcd cancels the DCS watch of Patroni nodes: a cancelation message (canceled: true, compact_revision) on each open watch stream, which stays open and delivers nothing more, as etcd does when a watcher's revision was compacted. Heal resets the canceled streams the nodes kept open. Needs the DCS proxy.",
  params: {
    targets: targets(["patroni"]),
    compact_revision: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("The compact_revision the message carries (optional; default each stream's last revision, as after a compaction up to it)."),
  },
  needsDcsProxy: true,
  docs: {
    params: "`targets` (Patroni nodes), `compact_revision` (integer, optional)",
    what: "each open watch stream of the targets gets etcd's cancelation message (`canceled: true`, `compact_revision`, the stream's own header) and stays open, delivering nothing more, as etcd does when a watcher's revision was compacted; Patroni is expected to close it and watch anew (4.0.7, PR 3426). Streams opened later are not affected. Heal resets the canceled streams still open. Proxy",
  },
  explore: {
    params: (g) => g.fc.record({ targets: g.targets(["patroni"]) }),
    recoveryMs: 10_000,
  },
  build: (p, { resolve }) => new WatchCancel(p.targets.map(resolve), p.compact_revision),
});
