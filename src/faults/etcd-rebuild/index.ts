import { defineFault } from "../kind.js";
import { EtcdRebuild } from "./etcd-rebuild.js";

export const etcdRebuild = defineFault({
  type: "etcd-rebuild",
  description: "Wipe all etcd members and start a new, empty etcd cluster on the same addresses.",
  params: {},
  docs: { params: "—", what: "wipe every member and start a new, empty etcd cluster on the same addresses" },
  build: (_p, { lab }) => new EtcdRebuild(lab.etcdNodes().map((n) => n.name)),
});
