import pg from "pg";

export interface PgTarget {
  host: string;
  port: number;
  password: string;
  user?: string;
  database?: string;
}

/** One PostgreSQL connection with tight timeouts: a paused node must not stall the harness. */
export async function pgConnect(t: PgTarget, opts: { connectTimeoutMs?: number; queryTimeoutMs?: number } = {}): Promise<pg.Client> {
  const c = new pg.Client({
    host: t.host,
    port: t.port,
    user: t.user ?? "postgres",
    password: t.password,
    database: t.database ?? "postgres",
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 1000,
    query_timeout: opts.queryTimeoutMs ?? 1000,
    application_name: "pgchaos",
    keepAlive: true,
  });
  c.on("error", () => {
    /* a broken connection is noticed by the next query */
  });
  try {
    await c.connect();
  } catch (e) {
    await c.end().catch(() => {});
    throw e;
  }
  return c;
}

/** LSN text (16/B374D848) to a byte position. */
export function lsnToNumber(lsn: string | null | undefined): number | undefined {
  if (!lsn) return undefined;
  const [hi, lo] = lsn.split("/");
  return parseInt(hi, 16) * 2 ** 32 + parseInt(lo, 16);
}
