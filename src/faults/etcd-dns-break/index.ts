import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { EtcdDnsBreak } from "./etcd-dns-break.js";

export const etcdDnsBreak = defineFault({
  type: "etcd-dns-break",
  description: "Break name resolution on one etcd member and cut its existing peer connections: it accepts clients but cannot reach quorum (incident 2).",
  params: { targets: targets(["etcd"], { max: 1, description: "The one etcd member whose DNS breaks." }) },
  docs: {
    params: "`targets` (one etcd member)",
    what: "break its name resolution (resolv.conf to an address that rejects queries, no peer in /etc/hosts) and reject its peer traffic on 2380 both ways with TCP resets: it accepts clients but cannot reach quorum (incident 2). Each Patroni node's time on that member is in the report's notes (and findings when longer than retry_timeout + loop_wait)",
  },
  explore: { params: (g) => g.fc.record({ targets: g.name(["etcd"]) }) },
  build: (p, { id, resolve }) => new EtcdDnsBreak(p.targets.map(resolve), id),
});
