import type { Action } from "./action.js";
import { restOutcome } from "./action.js";
import { patroniRest } from "../lab/lab-clients.js";

/** POST /restart: Patroni restarts its PostgreSQL. */
export const restartAction: Action<{ node: { text: string } }> = {
  collectsPatroniLog: true,
  async run(p, ctx) {
    return restOutcome(await patroniRest(ctx.lab, ctx.resolve(p.node)).post("/restart", {}, 120_000));
  },
};

/** POST /reinitialize: the replica is rebuilt from the leader. */
export const reinitAction: Action<{ node: { text: string } }> = {
  collectsPatroniLog: true,
  async run(p, ctx) {
    return restOutcome(await patroniRest(ctx.lab, ctx.resolve(p.node)).post("/reinitialize", { force: true }, 120_000));
  },
};

/** POST /reload on one node or every Patroni node (the first failure decides). */
export const reloadAction: Action<{ node?: { text: string } }> = {
  collectsPatroniLog: true,
  async run(p, ctx) {
    const nodes = p.node ? [ctx.resolve(p.node)] : ctx.lab.patroniNodes().map((n) => n.name);
    let last = { succeeded: true } as ReturnType<typeof restOutcome>;
    for (const n of nodes) {
      last = restOutcome(await patroniRest(ctx.lab, n).post("/reload", {}, 30_000));
      if (!last.succeeded) return last;
    }
    return last;
  },
};
