import { httpJson, type HttpResult, type TlsOptions } from "./http.js";
import type { PatroniRole } from "../history/events.js";

/** The parts of Patroni 3.0.2's GET /patroni we use. */
export interface PatroniStatus {
  state?: string;
  role?: string;
  timeline?: number;
  postmaster_start_time?: string;
  pause?: boolean;
  failsafe_mode_is_active?: boolean;
  xlog?: { location?: number; received_location?: number; replayed_location?: number; paused?: boolean };
  patroni?: { version?: string; scope?: string };
  replication?: { application_name: string; state: string; sync_state: string }[];
  [k: string]: unknown;
}

export function normaliseRole(role: string | undefined): PatroniRole {
  switch (role) {
    case "master":
    case "primary":
      return "primary";
    case "replica":
      return "replica";
    case "standby_leader":
      return "standby_leader";
    case "demoted":
      return "demoted";
    case "uninitialized":
      return "uninitialized";
    default:
      return "unknown";
  }
}

export class PatroniRest {
  constructor(
    readonly baseUrl: string,
    private readonly auth?: { username: string; password: string },
    /** For an https REST API (topology.security.tls): the CA and the name its certificate carries. */
    private readonly tls?: TlsOptions,
  ) {}

  status(timeoutMs = 1000): Promise<HttpResult<PatroniStatus>> {
    return httpJson<PatroniStatus>(`${this.baseUrl}/patroni`, { timeoutMs, tls: this.tls });
  }

  get(path: string, timeoutMs = 1000): Promise<HttpResult> {
    return httpJson(`${this.baseUrl}${path}`, { timeoutMs, tls: this.tls });
  }

  /** POST with the REST API's credentials (switchover, failover, restart, reinit, config). */
  post(path: string, body: unknown, timeoutMs = 60_000): Promise<HttpResult> {
    return httpJson(`${this.baseUrl}${path}`, { method: "POST", body, timeoutMs, auth: this.auth, tls: this.tls });
  }

  patch(path: string, body: unknown, timeoutMs = 10_000): Promise<HttpResult> {
    return httpJson(`${this.baseUrl}${path}`, { method: "PATCH", body, timeoutMs, auth: this.auth, tls: this.tls });
  }
}
