import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { etcdOutage } from "../shared/etcd-outage.js";

export const etcdKill = defineFault({
  type: "etcd-kill",
  description: "SIGKILL the etcd process of the members and keep it down (data kept). Healed by letting it start again.",
  params: { targets: targets(["etcd"]) },
  docs: { params: "`targets` (etcd, required)", what: "SIGKILL the etcd process and keep it down until healed; data kept" },
  explore: { params: (g) => g.fc.record({ targets: g.targets(["etcd"]) }), recoveryMs: 10_000 },
  build: (p, { resolve }) => etcdOutage(p.targets.map(resolve), "kill", "etcd-kill"),
});
