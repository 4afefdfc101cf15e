import { z } from "zod";
import { targets } from "../../scenario/primitives.js";
import { signedDurationParam } from "../shared/params.js";
import { defineFault } from "../kind.js";
import { FaultNotImplemented } from "../shared/not-implemented.js";
import { ClockSkew } from "./clock-skew.js";

export const clockSkew = defineFault({
  type: "clock-skew",
  description: "Shift the wall clock seen by processes of the targets.",
  params: {
    targets: targets(["patroni", "etcd"]),
    offset: signedDurationParam("Clock offset applied to the targets (required)."),
    processes: z.enum(["all", "etcd", "patroni", "postgres"]).default("all").describe("Which processes see the skewed clock: all (default), etcd, patroni or postgres."),
    drift: signedDurationParam("Additional drift per minute of real time (optional).").optional(),
    method: z
      .enum(["shim", "faketime"])
      .default("shim")
      .describe("How the clock is skewed: shim (default, also reaches Go programs such as etcd) or faketime (LD_PRELOAD libfaketime; does not reach etcd)."),
  },
  liveUpdate: { offset: signedDurationParam("clock-skew: the new clock offset, applied live (e.g. -20s).").optional() },
  docs: {
    params:
      "`targets` (Patroni or etcd nodes), `offset` (signed duration, required), `processes: all\\|etcd\\|patroni\\|postgres` (default `all`), `drift` (signed duration per minute, optional), `method: shim\\|faketime` (default `shim`)",
    what: "shift the wall clock processes see",
  },
  explore: {
    params: (g) =>
      g.fc.constantFrom("all" as const, "etcd" as const, "patroni" as const, "postgres" as const).chain((processes) =>
        g.fc.record(
          {
            targets: g.targets(processes === "all" ? ["patroni", "etcd"] : processes === "etcd" ? ["etcd"] : ["patroni"]),
            offset: g.signedDuration(1000, 120_000),
            processes: g.fc.constant(processes),
            drift: g.signedDuration(100, 5000),
          },
          { requiredKeys: ["targets", "offset"] },
        ),
      ),
  },
  build: (p, { id, resolve }) => {
    if (p.method === "faketime") {
      throw new FaultNotImplemented(
        "clock-skew method 'faketime' is not implemented: libfaketime never reaches Go programs (etcd) and hangs or crashes Patroni on Python 3.11; use method: shim",
      );
    }
    return new ClockSkew({ targets: p.targets.map(resolve), offsetMs: p.offset, processes: p.processes, driftMsPerMin: p.drift, id });
  },
});
