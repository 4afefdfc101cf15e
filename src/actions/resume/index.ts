import { defineAction } from "../kind.js";
import { expectStatus } from "../shared/rest.js";
import { setPause } from "../shared/maintenance.js";

export const resume = defineAction({
  type: "resume",
  description: "Leave maintenance mode (pause: false).",
  params: { expect_status: expectStatus() },
  collectsPatroniLog: true,
  run: (_p, ctx) => setPause(false, ctx),
});
