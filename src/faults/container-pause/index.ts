import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { ContainerPause } from "./container-pause.js";

export const containerPause = defineFault({
  type: "container-pause",
  description: "Freeze whole containers (docker pause) until healed.",
  params: { targets: targets(["patroni", "etcd", "haproxy"]) },
  docs: { params: "`targets` (any node)", what: "freeze whole containers until healed" },
  explore: { params: (g) => g.fc.record({ targets: g.targets(["patroni", "etcd", "haproxy"]) }) },
  build: (p, { resolve }) => new ContainerPause(p.targets.map(resolve)),
});
