import { httpJson } from "./http.js";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, "base64").toString("utf8") : "");

/** The end of a prefix range: the prefix with its last byte incremented (etcd's convention). */
export function prefixEnd(prefix: string): string {
  const buf = Buffer.from(prefix, "utf8");
  buf[buf.length - 1]++;
  return buf.toString("utf8");
}

export interface KeyValue {
  key: string;
  value: string;
  modRevision: number;
  lease?: string;
}

/**
 * etcd v3 through its JSON gateway (/v3/...): the same API Patroni's etcd3 DCS speaks.
 * Used only by the harness's recorder and readiness checks, on one member at a time.
 */
export class EtcdHttp {
  constructor(readonly baseUrl: string) {}

  async health(timeoutMs = 1000): Promise<boolean> {
    const r = await httpJson<{ health?: string }>(`${this.baseUrl}/health`, { timeoutMs });
    return r.status === 200 && r.body?.health === "true";
  }

  /** Linearizable range read of every key under `prefix` (fails without quorum). */
  async range(prefix: string, opts: { timeoutMs?: number; serializable?: boolean } = {}): Promise<KeyValue[]> {
    const r = await httpJson<{ kvs?: { key: string; value?: string; mod_revision: string; lease?: string }[]; error?: string; message?: string }>(
      `${this.baseUrl}/v3/kv/range`,
      {
        method: "POST",
        body: { key: b64(prefix), range_end: b64(prefixEnd(prefix)), serializable: opts.serializable ?? false },
        timeoutMs: opts.timeoutMs ?? 1000,
      },
    );
    if (r.status !== 200) throw new Error(`etcd range ${r.status}: ${r.body?.message ?? r.body?.error ?? r.text.slice(0, 200)}`);
    return (r.body?.kvs ?? []).map((kv) => ({
      key: unb64(kv.key),
      value: unb64(kv.value),
      modRevision: Number(kv.mod_revision),
      lease: kv.lease,
    }));
  }

  /** Raft status of this member: its id and the leader's id. */
  async status(timeoutMs = 1000): Promise<{ memberId: string; leaderId: string }> {
    const r = await httpJson<{ header?: { member_id?: string }; leader?: string }>(`${this.baseUrl}/v3/maintenance/status`, {
      method: "POST",
      body: {},
      timeoutMs,
    });
    if (r.status !== 200) throw new Error(`etcd status ${r.status}`);
    return { memberId: r.body?.header?.member_id ?? "", leaderId: r.body?.leader ?? "" };
  }
}
