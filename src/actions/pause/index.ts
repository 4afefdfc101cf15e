import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { expectStatus } from "../shared/rest.js";
import { setPause } from "../shared/maintenance.js";

export const pause = defineAction({
  type: "pause",
  description: "Put the cluster into maintenance mode (pause: true in the dynamic configuration).",
  params: { expect_status: expectStatus() },
  explore: {
    params: (g) => g.fc.record({ expect_status: g.fc.constant(ANY_ANSWER) }),
    // A paused cluster does not fail over: the schedule leaves maintenance mode before it heals and settles.
    finally: [{ action: "resume", expect_status: ANY_ANSWER }],
    weight: 0.5,
  },
  collectsPatroniLog: true,
  run: (_p, ctx) => setPause(true, ctx),
});
