import { httpJson, type HttpResult, type TlsOptions } from "./http.js";

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
 * etcd v3 authentication for the JSON gateway: POST /v3/auth/authenticate gives a token, sent as
 * the Authorization header. etcd's default (simple) tokens are valid only on the member that
 * issued them and lapse after 5 idle minutes or that member's restart, so one token is kept per
 * member URL and renewed once when a member says it is invalid.
 */
export class EtcdAuth {
  private readonly tokens = new Map<string, Promise<string>>();
  constructor(
    readonly username: string,
    private readonly password: string,
  ) {}

  /** A token for the member at baseUrl (asked for once, then kept). */
  token(baseUrl: string, tls: TlsOptions | undefined, timeoutMs: number): Promise<string> {
    let t = this.tokens.get(baseUrl);
    if (!t) {
      t = httpJson<{ token?: string; message?: string; error?: string }>(`${baseUrl}/v3/auth/authenticate`, {
        method: "POST",
        body: { name: this.username, password: this.password },
        timeoutMs,
        tls,
      }).then((r) => {
        if (r.status !== 200 || !r.body?.token) throw new Error(`etcd authenticate as ${this.username}: ${r.status} ${r.body?.message ?? r.body?.error ?? r.text.slice(0, 200)}`);
        return r.body.token;
      });
      this.tokens.set(baseUrl, t);
      // A failed attempt is not kept: the next request asks again.
      t.catch(() => this.tokens.get(baseUrl) === t && this.tokens.delete(baseUrl));
    }
    return t;
  }

  forget(baseUrl: string, token: string) {
    void this.tokens.get(baseUrl)?.then((t) => t === token && this.tokens.delete(baseUrl), () => {});
  }
}

/** etcd's answer to a request whose token it does not (or no longer) know. */
export function isInvalidToken(r: HttpResult<unknown>): boolean {
  return r.status === 401 || /invalid auth token|auth token is expired/i.test(r.text);
}

/** How the harness reaches an etcd member: TLS (CA, client certificate) and authentication. */
export interface EtcdClientOptions {
  tls?: TlsOptions;
  auth?: EtcdAuth;
}

/**
 * etcd v3 through its JSON gateway (/v3/...): the same API Patroni's etcd3 DCS speaks.
 * Used only by the harness's recorder and readiness checks, on one member at a time.
 */
export class EtcdHttp {
  constructor(
    readonly baseUrl: string,
    private readonly opts: EtcdClientOptions = {},
  ) {}

  /** A POST to the v3 API, with a token when the cluster has authentication on. */
  private async post<T>(path: string, body: unknown, timeoutMs: number): Promise<HttpResult<T>> {
    const { tls, auth } = this.opts;
    if (!auth) return httpJson<T>(`${this.baseUrl}${path}`, { method: "POST", body, timeoutMs, tls });
    for (let attempt = 0; ; attempt++) {
      const token = await auth.token(this.baseUrl, tls, timeoutMs);
      const r = await httpJson<T>(`${this.baseUrl}${path}`, { method: "POST", body, timeoutMs, tls, headers: { authorization: token } });
      if (attempt > 0 || !isInvalidToken(r)) return r;
      auth.forget(this.baseUrl, token);
    }
  }

  /**
   * The cluster version this member reports (GET /version's etcdcluster): "not_decided" until
   * the first leader decides it, and 3.0.0 while a member's own version was unknown to it then.
   */
  async clusterVersion(timeoutMs = 1000): Promise<string | undefined> {
    const r = await httpJson<{ etcdcluster?: string }>(`${this.baseUrl}/version`, { timeoutMs, tls: this.opts.tls });
    return r.status === 200 ? r.body?.etcdcluster : undefined;
  }

  async health(timeoutMs = 1000): Promise<boolean> {
    const r = await httpJson<{ health?: string }>(`${this.baseUrl}/health`, { timeoutMs, tls: this.opts.tls });
    return r.status === 200 && r.body?.health === "true";
  }

  /** Linearizable range read of every key under `prefix` (fails without quorum). */
  async range(prefix: string, opts: { timeoutMs?: number; serializable?: boolean } = {}): Promise<KeyValue[]> {
    const r = await this.post<{ kvs?: { key: string; value?: string; mod_revision: string; lease?: string }[]; error?: string; message?: string }>(
      "/v3/kv/range",
      { key: b64(prefix), range_end: b64(prefixEnd(prefix)), serializable: opts.serializable ?? false },
      opts.timeoutMs ?? 1000,
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
    const r = await this.post<{ header?: { member_id?: string }; leader?: string }>("/v3/maintenance/status", {}, timeoutMs);
    if (r.status !== 200) throw new Error(`etcd status ${r.status}`);
    return { memberId: r.body?.header?.member_id ?? "", leaderId: r.body?.leader ?? "" };
  }
}
