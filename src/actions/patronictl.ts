import type { Action } from "./action.js";
import { PATRONI_CONFIG_PATH } from "../lab/patroni-config.js";

/** patronictl inside a node's container; status = exit code. */
export const patronictlAction: Action<{ node: { text: string }; args: string[] }> = {
  collectsPatroniLog: true,
  async run(p, ctx) {
    const r = await ctx.lab.exec(ctx.resolve(p.node), ["patronictl", "-c", PATRONI_CONFIG_PATH, ...p.args], {
      user: "postgres",
      check: false,
      timeoutSec: 120,
    });
    return { status: r.exitCode, body: (r.stdout + r.stderr).slice(0, 4000), succeeded: r.exitCode === 0 };
  },
};
