import { z } from "zod";
import { defineAction } from "../kind.js";
import { nodeRef } from "../../scenario/primitives.js";
import { PATRONI_CONFIG_PATH } from "../../lab/patroni-config.js";

const exitCode = z.number().int().min(0).max(255);

/** patronictl inside a node's container; status = exit code. */
export const patronictl = defineAction({
  type: "patronictl",
  description: "Run patronictl inside a node's container with the given arguments.",
  params: {
    node: nodeRef(["patroni"], "Node whose container runs patronictl (required)."),
    args: z.array(z.string()).describe("Arguments after `patronictl -c <config>`, e.g. [list] or [switchover, --force, --candidate, pg2]."),
    expect_status: z
      .union([exitCode, z.array(exitCode).min(1)])
      .transform((v): number[] => (Array.isArray(v) ? v : [v]))
      .optional()
      .describe("Expected exit code, or a list of acceptable ones (e.g. 1 for a command that must fail). Absent: patronictl must exit 0."),
  },
  explore: { notExplored: "free command-line arguments; the REST actions (switchover, failover, restart, reinit, pause, reload) are explored instead" },
  collectsPatroniLog: true,
  async run(p, ctx) {
    const r = await ctx.lab.exec(ctx.resolve(p.node), ["patronictl", "-c", PATRONI_CONFIG_PATH, ...p.args], {
      user: "postgres",
      check: false,
      timeoutSec: 120,
    });
    return { status: r.exitCode, body: (r.stdout + r.stderr).slice(0, 4000), succeeded: r.exitCode === 0 };
  },
});
