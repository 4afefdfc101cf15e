import type pg from "pg";
import { pgConnect, type PgTarget } from "./pg.js";

/**
 * One PostgreSQL connection kept open for repeated short queries (the node sampler's every
 * 200 ms, an expect step's probes). A new connection per query made PostgreSQL fork and
 * authenticate several backends a second, and under load the connect alone outlasted the query's
 * budget.
 *
 * The connection is made in the background with its own budget (`connectBudgetMs`, by default
 * KEPT_PG_CONNECT_BUDGET_MS): connecting
 * takes five round trips (TCP, startup, three SCRAM steps), and with the harness's event loop
 * 100-300 ms late per turn (two labs on 2 cores) that outlasted a 1 s sample budget, so every
 * sample dropped its half-made connection and the next started over. One node then went
 * unsampled for 30-85 s while its PostgreSQL answered at once on a connection already made. Now
 * a caller waits for the connection at most its own timeout, and a later caller finds it made.
 *
 * Any failed query drops the connection (a timed-out query may still be running on it); the
 * next query connects again, so a restarted node is seen as it is. The target is read at each
 * connect: a restarted container may have new ports.
 */
/** How long a kept connection may take to be made, in the background. */
export const KEPT_PG_CONNECT_BUDGET_MS = 10_000;

export class KeptPgConnection {
  private conn?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private closed = false;

  constructor(
    private readonly target: () => PgTarget,
    private readonly opts: { queryTimeoutMs: number; connectBudgetMs?: number },
  ) {}

  /** Runs one query; waits for a connection being made at most `waitMs` (the connect carries on). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, waitMs: number): Promise<pg.QueryResult<R>> {
    return this.run((c) => c.query<R>(text), waitMs);
  }

  /** As query, with each row as an array. */
  queryArray(text: string, waitMs: number): Promise<pg.QueryArrayResult> {
    return this.run((c) => c.query({ text, rowMode: "array" }), waitMs);
  }

  private async run<T>(q: (c: pg.Client) => Promise<T>, waitMs: number): Promise<T> {
    const c = await this.connection(waitMs);
    try {
      return await q(c);
    } catch (e) {
      if (this.conn === c) this.drop();
      throw e;
    }
  }

  private async connection(waitMs: number): Promise<pg.Client> {
    if (this.closed) throw new Error("connection closed");
    if (this.conn) return this.conn;
    if (!this.connecting) {
      const connecting = pgConnect(this.target(), { connectTimeoutMs: this.opts.connectBudgetMs ?? KEPT_PG_CONNECT_BUDGET_MS, queryTimeoutMs: this.opts.queryTimeoutMs })
        .then((c) => {
          if (this.closed) c.end().catch(() => {});
          else this.conn = c;
          return c;
        })
        .finally(() => {
          if (this.connecting === connecting) this.connecting = undefined;
        });
      // A caller that gave up waiting must not leave the rejection unhandled.
      connecting.catch(() => {});
      this.connecting = connecting;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.connecting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`still connecting after ${waitMs} ms (carries on in the background)`)), waitMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Forgets the connection (the next query makes a new one). */
  drop(): void {
    const c = this.conn;
    this.conn = undefined;
    c?.end().catch(() => {});
  }

  close(): void {
    this.closed = true;
    this.drop();
  }
}
