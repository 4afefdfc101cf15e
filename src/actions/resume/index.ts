import { defineAction } from "../kind.js";
import { ANY_ANSWER } from "../../scenario/explore-kit.js";
import { expectStatus } from "../shared/rest.js";
import { setPause } from "../shared/maintenance.js";

export const resume = defineAction({
  type: "resume",
  description: "Leave maintenance mode (pause: false).",
  params: { expect_status: expectStatus() },
  explore: { params: (g) => g.fc.record({ expect_status: g.fc.constant(ANY_ANSWER) }), weight: 0.5 },
  collectsPatroniLog: true,
  run: (_p, ctx) => setPause(false, ctx),
});
