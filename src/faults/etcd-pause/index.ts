import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { etcdOutage } from "../shared/etcd-outage.js";

export const etcdPause = defineFault({
  type: "etcd-pause",
  description:
    "Freeze the etcd process of the members (SIGSTOP, as Patroni's acceptance tests do): connections are accepted, nothing answers. Healed by SIGCONT.",
  params: { targets: targets(["etcd"]) },
  docs: {
    params: "`targets` (etcd, required)",
    what: "freeze the etcd process (SIGSTOP, as Patroni's acceptance tests do) until healed (SIGCONT): connections are accepted, nothing answers",
  },
  explore: { params: (g) => g.fc.record({ targets: g.targets(["etcd"]) }) },
  build: (p, { resolve }) => etcdOutage(p.targets.map(resolve), "pause", "etcd-pause"),
});
