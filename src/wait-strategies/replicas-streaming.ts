import type { Lab } from "../lab/lab-api.js";
import { pgTarget } from "../lab/lab-clients.js";
import { pgConnect } from "../clients/pg.js";
import { waitFor } from "../util/time.js";
import type { LabWaitStrategy } from "./wait-strategy.js";

/**
 * On the leader, pg_stat_replication shows every other Patroni node streaming with nothing
 * left to replay (lag 0).
 */
export class ReplicasStreaming implements LabWaitStrategy {
  readonly name = "replicas streaming";
  constructor(private readonly leader: () => string | undefined) {}
  async waitUntilReady(lab: Lab, timeoutMs: number, signal?: AbortSignal) {
    const expected = lab.patroniNodes().length - 1;
    await waitFor(
      `${expected} replicas streaming with lag 0`,
      async () => {
        const leader = this.leader();
        if (!leader) return false;
        const c = await pgConnect(pgTarget(lab, leader));
        try {
          const r = await c.query(
            `select count(*)::int as n from pg_stat_replication
              where state = 'streaming' and replay_lsn = pg_current_wal_lsn()`,
          );
          return r.rows[0].n >= expected;
        } finally {
          await c.end().catch(() => {});
        }
      },
      { timeoutMs, intervalMs: 250, signal },
    );
  }
}
