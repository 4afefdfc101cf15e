import { z } from "zod";
import { targets } from "../../scenario/primitives.js";
import { defineFault } from "../kind.js";
import { constants, processAndTargets, processMatchesTargets, processParam } from "../shared/params.js";
import { ProcessKill } from "./process-kill.js";

export const processKill = defineFault({
  type: "process-kill",
  description: "Send a signal to a process inside the targets.",
  params: {
    targets: targets(["patroni", "etcd"]),
    process: processParam,
    signal: z.enum(["KILL", "TERM"]).default("KILL").describe("Signal to send: KILL (default) or TERM."),
    keep_down: z
      .boolean()
      .default(false)
      .describe("Keep the process down until the fault is healed (default false: it may come back by itself, e.g. Patroni restarts a killed postgres)."),
  },
  check: processMatchesTargets,
  docs: {
    params: "`targets` (required), `process: patroni\\|postgres\\|etcd` (required), `signal: KILL\\|TERM` (default `KILL`), `keep_down: bool` (default false)",
    what: "signal one process; with `keep_down` it stays down until healed",
  },
  explore: {
    params: (g) =>
      processAndTargets(g).chain((pt) =>
        g.fc.record({ ...constants(g, pt), signal: g.fc.constantFrom("KILL" as const, "TERM" as const), keep_down: g.fc.boolean() }, { requiredKeys: ["process", "targets"] }),
      ),
    recoveryMs: 20_000,
  },
  build: (p, { resolve }) => new ProcessKill(p.targets.map(resolve), p.process, p.signal, p.keep_down),
});
