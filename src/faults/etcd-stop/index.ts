import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { etcdOutage } from "../shared/etcd-outage.js";

export const etcdStop = defineFault({
  type: "etcd-stop",
  description: "Stop etcd members (docker stop; data kept). Healed by starting them.",
  params: { targets: targets(["etcd"]) },
  docs: { params: "`targets` (etcd, required)", what: "`docker stop` the members; data kept" },
  explore: { params: (g) => g.fc.record({ targets: g.targets(["etcd"]) }), recoveryMs: 10_000 },
  build: (p, { resolve }) => etcdOutage(p.targets.map(resolve), "stop", "etcd-stop"),
});
