import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { processAndTargets, processMatchesTargets, processParam } from "../shared/params.js";
import { ProcessPause } from "./process-pause.js";

export const processPause = defineFault({
  type: "process-pause",
  description: "SIGSTOP a process inside the targets until healed (SIGCONT).",
  params: { targets: targets(["patroni", "etcd"]), process: processParam },
  check: processMatchesTargets,
  docs: { params: "`targets`, `process` (required)", what: "SIGSTOP the process until healed" },
  explore: { params: processAndTargets },
  build: (p, { resolve }) => new ProcessPause(p.targets.map(resolve), p.process),
});
