import { defineAction } from "../kind.js";
import { expectStatus } from "../shared/rest.js";
import { setPause } from "../shared/maintenance.js";

export const pause = defineAction({
  type: "pause",
  description: "Put the cluster into maintenance mode (pause: true in the dynamic configuration).",
  params: { expect_status: expectStatus() },
  collectsPatroniLog: true,
  run: (_p, ctx) => setPause(true, ctx),
});
