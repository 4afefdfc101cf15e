import { defineAction } from "../kind.js";
import { DCS_ACTION, dcsStepProblems } from "./params.js";

/** `dcs`: one of the cluster's keys changed by hand (./dcs.ts). */
export const dcs = defineAction({
  type: "dcs",
  ...DCS_ACTION,
  collectsPatroniLog: true,
  semanticCheck: (p) => dcsStepProblems(p),
  // Loaded when a scenario runs one: validating scenarios does not load the etcd gRPC client.
  run: async (p, ctx) => (await import("./dcs.js")).runDcsAction(p, ctx),
});
