import type { History } from "../history/history.js";
import type { NodeSample } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { patroniRest, pgTarget } from "../lab/lab-clients.js";
import { normaliseRole } from "../clients/patroni-rest.js";
import { KeptPgConnection } from "../clients/kept-pg.js";
import { errorText } from "../util/errors.js";
import type { HarnessStallMonitor } from "./harness-stall.js";
import { Attention, due } from "./attention.js";

const SAMPLE_SQL = `select pg_is_in_recovery() as rec,
  current_setting('transaction_read_only') = 'on' as ro,
  (select status from pg_stat_wal_receiver limit 1) as wal_status,
  (extract(epoch from clock_timestamp()) * 1000)::float8 as wall_ms`;

/** How often Patroni's REST API is asked while nothing changes (attention.ts: within a change, every sample). */
export const REST_RESTING_MS = 2000;

/** What GET /patroni said, kept for the samples taken until it is asked again. */
type RestReading = Pick<NodeSample, "restUp" | "role" | "state" | "timeline" | "paused" | "failsafeActive" | "patroniVersion" | "receivedLsn" | "replayedLsn"> & {
  t: number;
  error?: string;
};

/**
 * Samples one Patroni node: over a kept connection, its PostgreSQL's own view (in recovery?
 * read-only? WAL receiver streaming?) every time, and GET /patroni when it is due (attention.ts);
 * samples in between carry the last REST answer, with its time in `restT`. Both run in parallel
 * with tight timeouts so a frozen node costs one timeout, not a stalled recorder; the connection
 * is made in the background with a longer budget (kept-pg.ts says why).
 */
export class NodeSampler {
  private readonly pg: KeptPgConnection;
  private rest?: RestReading;
  private lastState?: string;

  constructor(
    private readonly lab: Lab,
    readonly node: string,
    private readonly timeoutMs: number,
    private readonly stalls?: HarnessStallMonitor,
    private readonly attention: Attention = new Attention(0),
    private readonly restRestingMs = REST_RESTING_MS,
  ) {
    this.pg = new KeptPgConnection(() => pgTarget(lab, node), { queryTimeoutMs: timeoutMs });
  }

  private async readRest(t: number): Promise<RestReading> {
    try {
      const b = (await patroniRest(this.lab, this.node).status(this.timeoutMs)).body;
      if (!b) return { t, restUp: false };
      const r: RestReading = { t, restUp: true, role: normaliseRole(b.role), state: b.state, timeline: b.timeline, paused: b.pause, failsafeActive: b.failsafe_mode_is_active };
      if (b.patroni?.version) r.patroniVersion = b.patroni.version;
      if (r.role === "primary") r.receivedLsn = b.xlog?.location;
      else {
        r.receivedLsn = b.xlog?.received_location;
        r.replayedLsn = b.xlog?.replayed_location;
      }
      return r;
    } catch (e) {
      return { t, restUp: false, error: `rest: ${errorText(e)}` };
    }
  }

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    const t0 = performance.now();
    const restDue = due(this.attention, t, this.rest?.t, this.restRestingMs);
    const [rest, sql] = await Promise.allSettled([
      restDue ? this.readRest(t) : Promise.resolve(this.rest!),
      (async () => {
        const sent = Date.now();
        const row = (await this.pg.query(SAMPLE_SQL, this.timeoutMs)).rows[0] as { rec: boolean; ro: boolean; wal_status: string | null; wall_ms: number | string | null };
        return { ...row, sent, received: Date.now() };
      })(),
    ]);
    const s: NodeSample = { kind: "node", t, node: this.node, restUp: false, pgUp: false, latencyMs: 0 };
    const errors: string[] = [];
    const r = rest.status === "fulfilled" ? rest.value : undefined;
    if (r) {
      const { t: restT, error: restError, ...fields } = r;
      Object.assign(s, fields);
      if (restT !== t) s.restT = restT;
      if (restError) errors.push(restError);
    }
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
    // A REST answer that failed while pgchaos stalled says nothing: not kept, so it is asked again next time.
    if (restDue && r && !(r.error && stallMs > 0)) this.rest = r;
    if (stallMs > 0) {
      history.append({ kind: "unknown-sample", t, of: "node", node: this.node, stallMs: Math.round(stallMs), error: s.error });
      return;
    }
    const state = stateOf(s);
    if (this.lastState !== undefined && state !== this.lastState) this.attention.raise(t);
    this.lastState = state;
    history.append(s);
  }

  close() {
    this.pg.close();
  }
}

/** What a change of is worth a closer look: roles, states, reachability (not LSNs or latencies). */
function stateOf(s: NodeSample): string {
  return JSON.stringify([s.restUp, s.role, s.state, s.timeline, s.paused, s.failsafeActive, s.pgUp, s.writable, s.streaming]);
}
