import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { ContainerStop } from "./container-stop.js";

export const containerStop = defineFault({
  type: "container-stop",
  description: "Stop whole containers (docker stop) until healed.",
  params: { targets: targets(["patroni", "etcd", "haproxy"]) },
  stopsContainers: true,
  docs: { params: "`targets` (any node)", what: "stop whole containers until healed" },
  explore: { params: (g) => g.fc.record({ targets: g.targets(["patroni", "etcd", "haproxy"]) }), recoveryMs: 30_000 },
  build: (p, { resolve }) => new ContainerStop(p.targets.map(resolve)),
});
