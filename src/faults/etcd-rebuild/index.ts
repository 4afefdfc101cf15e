import { defineFault } from "../kind.js";
import { EtcdRebuild } from "./etcd-rebuild.js";

export const etcdRebuild = defineFault({
  type: "etcd-rebuild",
  description: "Wipe all etcd members and start a new, empty etcd cluster on the same addresses.",
  params: {},
  docs: { params: "—", what: "wipe every member and start a new, empty etcd cluster on the same addresses" },
  explore: {
    params: (g) => g.fc.constant({}),
    // The rebuilt cluster has no users (see scenario/guards.ts).
    applies: (f) => !f.security?.auth,
    weight: 0.5,
    recoveryMs: 30_000,
  },
  build: (_p, { lab }) => new EtcdRebuild(lab.etcdNodes().map((n) => n.name)),
});
