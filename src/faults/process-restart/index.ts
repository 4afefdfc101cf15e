import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { processAndTargets, processMatchesTargets, processParam } from "../shared/params.js";
import { ProcessRestart } from "./process-restart.js";

export const processRestart = defineFault({
  type: "process-restart",
  description: "Restart a process inside the targets (one-shot): stopped cleanly (SIGTERM; PostgreSQL SIGINT, its fast shutdown, since SIGTERM is a smart shutdown that waits for every session, Patroni's own included) and started again by its supervisor (PostgreSQL by Patroni).",
  params: { targets: targets(["patroni", "etcd"]), process: processParam },
  check: processMatchesTargets,
  docs: { params: "`targets`, `process` (required)", what: "restart the process: a clean stop (SIGTERM; PostgreSQL SIGINT, its fast shutdown), started again by its supervisor or, for PostgreSQL, by Patroni" },
  explore: { params: processAndTargets, lasting: false, recoveryMs: 20_000 },
  build: (p, { resolve }) => new ProcessRestart(p.targets.map(resolve), p.process),
});
