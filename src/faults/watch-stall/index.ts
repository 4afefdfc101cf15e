import { z } from "zod";
import { targets } from "../../scenario/primitives.js";
import { durationParam } from "../shared/params.js";
import { RELEASE_MODES, type ReleaseMode } from "../../dcs-proxy/types.js";
import { defineFault } from "../kind.js";
import { WatchStall } from "./watch-stall.js";

export const watchStall = defineFault({
  type: "watch-stall",
  description:
    "Stall the DCS watch stream of Patroni nodes: the stream stays open but delivers no events; other requests work (incident 3). Needs the DCS proxy (topology.dcs_proxy, on by default when a proxy fault is used).",
  params: {
    targets: targets(["patroni"]),
    release_after: durationParam("Release the stall by itself after this long (optional; otherwise at heal).").optional(),
    release: z
      .enum(RELEASE_MODES as [ReleaseMode, ...ReleaseMode[]])
      .default("drop")
      .describe(
        "What the release does with the withheld events: drop (default: they are lost, the stream carries on; as in incident 3), deliver (they arrive late, in order) or close (they are lost and the stream is reset, so Patroni opens a new watch and rebuilds its cache).",
      ),
  },
  needsDcsProxy: true,
  docs: {
    params: "`targets` (Patroni nodes), `release_after` (duration, optional), `release: drop\\|deliver\\|close` (default `drop`)",
    what: "the targets' DCS watch streams (open ones and new ones) stay open but deliver nothing; their other etcd requests work (incident 3). Released by `release_after` or at heal: `drop` loses the withheld events and the stream carries on (as in the incident), `deliver` sends them late in order, `close` loses them and resets the stream (Patroni opens a new watch and rebuilds its cache). Proxy",
  },
  explore: {
    params: (g) =>
      g.fc.record(
        {
          targets: g.targets(["patroni"]),
          release_after: g.duration(1000, 60_000),
          release: g.fc.constantFrom(...RELEASE_MODES),
        },
        { requiredKeys: ["targets"] },
      ),
  },
  build: (p, { resolve }) => new WatchStall(p.targets.map(resolve), p.release_after, p.release),
});
