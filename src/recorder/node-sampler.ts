import type { History } from "../history/history.js";
import type { NodeSample } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { patroniRest, pgTarget } from "../lab/lab-clients.js";
import { normaliseRole } from "../clients/patroni-rest.js";
import { KeptPgConnection } from "../clients/kept-pg.js";
import { errorText } from "../util/errors.js";
import type { HarnessStallMonitor } from "./harness-stall.js";

const SAMPLE_SQL = `select pg_is_in_recovery() as rec,
  current_setting('transaction_read_only') = 'on' as ro,
  (select status from pg_stat_wal_receiver limit 1) as wal_status,
  (extract(epoch from clock_timestamp()) * 1000)::float8 as wall_ms`;

/**
 * Samples one Patroni node: GET /patroni and, over a kept connection, its PostgreSQL's own
 * view (in recovery? read-only? WAL receiver streaming?). Both run in parallel with tight
 * timeouts so a frozen node costs one timeout, not a stalled recorder; the connection is made in
 * the background with a longer budget (kept-pg.ts says why).
 */
export class NodeSampler {
  private readonly pg: KeptPgConnection;

  constructor(
    private readonly lab: Lab,
    readonly node: string,
    private readonly timeoutMs: number,
    private readonly stalls?: HarnessStallMonitor,
  ) {
    this.pg = new KeptPgConnection(() => pgTarget(lab, node), { queryTimeoutMs: timeoutMs });
  }

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    const t0 = performance.now();
    const [rest, sql] = await Promise.allSettled([
      patroniRest(this.lab, this.node).status(this.timeoutMs),
      (async () => {
        const sent = Date.now();
        const row = (await this.pg.query(SAMPLE_SQL, this.timeoutMs)).rows[0] as { rec: boolean; ro: boolean; wal_status: string | null; wall_ms: number | string | null };
        return { ...row, sent, received: Date.now() };
      })(),
    ]);
    const s: NodeSample = { kind: "node", t, node: this.node, restUp: false, pgUp: false, latencyMs: 0 };
    const errors: string[] = [];
    if (rest.status === "fulfilled" && rest.value.body) {
      const b = rest.value.body;
      s.restUp = true;
      s.role = normaliseRole(b.role);
      s.state = b.state;
      s.timeline = b.timeline;
      s.paused = b.pause;
      s.failsafeActive = b.failsafe_mode_is_active;
      if (b.patroni?.version) s.patroniVersion = b.patroni.version;
      if (s.role === "primary") s.receivedLsn = b.xlog?.location;
      else {
        s.receivedLsn = b.xlog?.received_location;
        s.replayedLsn = b.xlog?.replayed_location;
      }
    } else if (rest.status === "rejected") errors.push(`rest: ${errorText(rest.reason)}`);
    if (sql.status === "fulfilled") {
      s.pgUp = true;
      s.writable = !sql.value.rec && !sql.value.ro;
      s.streaming = sql.value.rec ? sql.value.wal_status === "streaming" : undefined;
      const pgWall = Number(sql.value.wall_ms);
      // Against the harness's clock at the query's midpoint: off by at most half its round trip.
      if (sql.value.wall_ms !== null && Number.isFinite(pgWall)) s.pgClockOffsetMs = Math.round(pgWall - (sql.value.sent + sql.value.received) / 2);
    } else {
      errors.push(`pg: ${errorText(sql.reason)}`);
    }
    if (errors.length) s.error = errors.join("; ");
    const t1 = performance.now();
    s.latencyMs = Math.round(t1 - t0);
    const stallMs = errors.length ? (this.stalls?.stalledMs(t0, t1) ?? 0) : 0;
    history.append(stallMs > 0 ? { kind: "unknown-sample", t, of: "node", node: this.node, stallMs: Math.round(stallMs), error: s.error } : s);
  }

  close() {
    this.pg.close();
  }
}
