import { defineAction } from "../kind.js";
import { DCS_ACTION, dcsStepProblems } from "./params.js";

/** `dcs`: one of the cluster's keys changed by hand (./dcs.ts). */
export const dcs = defineAction({
  type: "dcs",
  ...DCS_ACTION,
  explore: {
    // Deleting keys only: Patroni writes them again. A put value (a bad config) would outlast the schedule's heal.
    params: (g) =>
      g.fc.oneof(
        g.fc.constant({ delete: "leader" as const }),
        g.fc.record({ delete: g.fc.constant("member" as const), member: g.ref(["patroni"]) }),
      ),
  },
  collectsPatroniLog: true,
  semanticCheck: (p) => dcsStepProblems(p),
  // Loaded when a scenario runs one: validating scenarios does not load the etcd gRPC client.
  run: async (p, ctx) => (await import("./dcs.js")).runDcsAction(p, ctx),
});
