import type pg from "pg";
import type { History } from "../history/history.js";
import type { WriteOp } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { pgConnect, type PgTarget } from "../clients/pg.js";
import { pgTarget } from "../lab/lab-clients.js";
import { writeTarget } from "../history/primary.js";
import { errorText } from "../util/errors.js";
import { sleep } from "../util/time.js";
import type { HarnessStallMonitor } from "../recorder/harness-stall.js";

export const WRITES_TABLE = "pgchaos_writes";

export interface WriterOptions {
  /** Writes per second. */
  rate: number;
  /** Per-write timeout (connect + statement). */
  timeoutMs: number;
  via: "direct" | "haproxy";
  /** For via=haproxy: the HAProxy primary port as the harness reaches it. */
  haproxy?: PgTarget;
  /**
   * Where sequence numbers come from. Writers running side by side (direct and via HAProxy)
   * share one so every seq is unique across the table. Default: this writer's own 1, 2, 3...
   */
  sequence?: { next(): number };
  /**
   * pgchaos's own stalls (the recorder's monitor): a write that timed out while the harness
   * stalled is recorded as unknown with `stallMs`, not as a failure of the cluster.
   */
  stalls?: Pick<HarnessStallMonitor, "stalledMs">;
}

/**
 * node-postgres's own timeouts: connect ("timeout expired"; "Connection terminated due to
 * connection timeout" in later versions) and query_timeout ("Query read timeout").
 */
const CLIENT_TIMEOUT = /timeout expired|connection timeout|query read timeout/i;

/** A sequence of write numbers 1, 2, 3... that several writers may share. */
export function writeSequence(): { next(): number } {
  let n = 0;
  return { next: () => ++n };
}

/**
 * The workload: inserts sequence-numbered rows into whichever node is primary and logs every
 * write as acknowledged (ok), definitely not committed (fail), or indeterminate (unknown:
 * the connection broke or timed out after the statement was sent). One write at a time, so a
 * write's outcome never depends on another's.
 *
 * A write that timed out (connect or query) while pgchaos itself stalled (harness-stall.ts: its
 * event loop blocked or the machine's CPUs busy) is unknown whatever else it would have been:
 * once the process runs again its timers are served before its sockets are read, so a stall
 * across the deadline turns an answer that had arrived into a timeout. It carries `stallMs`, and
 * write-availability does not count its time as unavailability. Other errors (refused, reset,
 * an SQLSTATE) are answers from the cluster and keep their outcome.
 */
export class Writer {
  private count = 0;
  private readonly sequence: { next(): number };
  private running = false;
  private loopP?: Promise<void>;
  private conns = new Map<string, pg.Client>();

  constructor(
    private readonly lab: Lab,
    private readonly history: History,
    private readonly now: () => number,
    private readonly opts: WriterOptions,
  ) {
    this.sequence = opts.sequence ?? writeSequence();
  }

  /** Creates the table on the leader (called once the cluster is ready). */
  static async prepare(lab: Lab, leader: string): Promise<void> {
    const c = await pgConnect(pgTarget(lab, leader), { queryTimeoutMs: 10_000, connectTimeoutMs: 5000 });
    try {
      await c.query(`create table if not exists ${WRITES_TABLE} (seq bigint primary key, node text not null, at timestamptz not null default clock_timestamp())`);
    } finally {
      await c.end().catch(() => {});
    }
  }

  start(): void {
    if (this.running || this.opts.rate <= 0) return;
    this.running = true;
    this.loopP = this.loop();
  }

  private async conn(key: string, target: PgTarget): Promise<pg.Client> {
    let c = this.conns.get(key);
    if (!c) {
      c = await pgConnect(target, { connectTimeoutMs: this.opts.timeoutMs, queryTimeoutMs: this.opts.timeoutMs });
      this.conns.set(key, c);
    }
    return c;
  }

  private drop(key: string) {
    const c = this.conns.get(key);
    this.conns.delete(key);
    c?.end().catch(() => {});
  }

  private async loop() {
    const interval = 1000 / this.opts.rate;
    let next = performance.now();
    while (this.running) {
      await this.writeOnce();
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now(); // fell behind (slow writes): do not burst to catch up
    }
  }

  private async writeOnce(): Promise<void> {
    const seq = this.sequence.next();
    this.count++;
    const t = this.now();
    const node =
      this.opts.via === "haproxy" ? "haproxy" : (writeTarget(this.history, this.lab.patroniNodes().map((n) => n.name)) ?? null);
    const op: WriteOp = { kind: "write", t, tEnd: t, seq, node, via: this.opts.via, outcome: "fail" };
    if (!node) {
      op.error = "no primary known";
      op.tEnd = this.now();
      this.history.append(op);
      return;
    }
    const target = this.opts.via === "haproxy" ? this.opts.haproxy! : pgTarget(this.lab, node);
    const t0 = performance.now();
    let sent = false;
    try {
      const c = await this.conn(node, target);
      sent = true;
      const r = await c.query(
        `insert into ${WRITES_TABLE}(seq, node) values ($1, inet_server_addr()::text || ' ' || $2) returning seq, host(inet_server_addr()) as addr`,
        [seq, node],
      );
      op.outcome = r.rowCount === 1 ? "ok" : "fail";
      // Through HAProxy: record the server that answered (by its address on the lab network).
      if (this.opts.via === "haproxy") op.node = this.nodeByAddr((r.rows[0] as { addr?: string } | undefined)?.addr) ?? node;
    } catch (e) {
      const raw = (e as { code?: string }).code;
      const code = raw && /^[0-9A-Z]{5}$/.test(raw) ? raw : undefined; // an SQLSTATE, not ECONNRESET
      op.error = `${raw ? raw + " " : ""}${errorText(e)}`.slice(0, 200);
      // A server error with an SQLSTATE means the statement did not commit (single-statement
      // autocommit), except when the connection was cut by an admin/crash shutdown mid-flight.
      const definite = !!code && !["57P01", "57P02", "57P03", "08006", "08003", "08000"].includes(code);
      op.outcome = !sent || definite ? "fail" : "unknown";
      if (CLIENT_TIMEOUT.test(errorText(e))) {
        const stallMs = this.opts.stalls?.stalledMs(t0, performance.now()) ?? 0;
        if (stallMs > 0) {
          op.outcome = "unknown";
          op.stallMs = Math.round(stallMs);
        }
      }
      this.drop(node);
    }
    op.tEnd = this.now();
    this.history.append(op);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loopP;
    for (const k of [...this.conns.keys()]) this.drop(k);
  }

  private nodeByAddr(addr: string | undefined): string | undefined {
    return addr ? this.lab.patroniNodes().find((n) => n.ip === addr)?.name : undefined;
  }

  get attempted(): number {
    return this.count;
  }
}
