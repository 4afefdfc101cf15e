import type { DoctorFacts, Finding, Snapshot } from "../model.js";
import { apiUrlCheck } from "./api-url.js";
import { connUrlCheck } from "./conn-url.js";
import { checkLagOf, lagCheck } from "./lag.js";
import { clockCheck, clockOffsets } from "./clock.js";
import { etcdHealthCheck } from "./etcd-health.js";
import { failsafeCheck } from "./failsafe.js";
import { etcdMemberCount, patroniEtcdTimeouts, timingsCheck } from "./timings.js";
import { leaderCheck } from "./leader.js";
import { identify } from "./identity.js";
import { clockOffset, lastLsn, normRole, settingsOf, statusBody } from "./util.js";

/** Every check, in the order findings are listed. Each is a pure function of the snapshot. */
export const CHECKS = [leaderCheck, etcdHealthCheck, apiUrlCheck, connUrlCheck, lagCheck, failsafeCheck, timingsCheck, clockCheck] as const;

export function runChecks(s: Snapshot): Finding[] {
  return CHECKS.flatMap((c) => c(s));
}

/** What the checks saw, for the table and the JSON. */
export function factsOf(s: Snapshot): DoctorFacts {
  const settings = settingsOf(s.dcs);
  const members = etcdMemberCount(s);
  const ids = identify(s);
  const offsets = clockOffsets(s);
  const last = lastLsn(s.dcs);
  return {
    settings: { ...settings, etcdTimeout: { members, ...patroniEtcdTimeouts(members, settings.retry_timeout) } },
    members: s.members.map((m) => {
      const id = ids.get(m.name);
      const lag = checkLagOf(s, m.name);
      return {
        name: m.name,
        role: normRole(m.key.role),
        apiUrl: m.key.api_url,
        answersAs: id?.body ? (id.answersAs ?? "another node") : undefined,
        apiRole: normRole(id?.body?.role),
        connUrl: m.key.conn_url,
        connReachable: m.conn?.ok,
        dcsLag: m.name !== s.dcs?.leader && last !== undefined && typeof m.key.xlog_location === "number" ? Math.max(0, last - m.key.xlog_location) : undefined,
        checkLag: m.name === s.dcs?.leader || !lag ? undefined : lag.kind === "lag" ? lag.bytes : lag.kind,
        clockOffset: offsets.find((o) => o.kind === "patroni" && o.host === m.name)?.offset,
      };
    }),
    etcd: s.etcd.map((e) => ({
      url: e.url,
      tcp: e.tcp.ok,
      ...(e.linearizable.status === 200 ? { linearizableMs: e.linearizable.tEnd - e.linearizable.tStart } : { linearizableError: e.linearizable.error ?? `HTTP ${e.linearizable.status}` }),
      health: e.health.status === 200 ? (e.health.body as { health?: unknown })?.health === "true" : e.health.status === undefined ? undefined : false,
      clockOffset: offsets.find((o) => o.kind === "etcd" && o.host === e.url)?.offset,
    })),
    ...(last !== undefined ? { lastLsn: last } : {}),
    ...(s.patroni?.length
      ? {
          patroni: s.patroni.map((p) => {
            const b = statusBody(p);
            const same = b?.postmaster_start_time
              ? s.members.find((m) => {
                  const id = ids.get(m.name);
                  return id && !id.wrong && id.body?.postmaster_start_time === b.postmaster_start_time && id.body?.database_system_identifier === b.database_system_identifier;
                })
              : undefined;
            return {
              url: p.url,
              ...(b ? { answersAs: same?.name ?? "no member of this cluster", role: normRole(b.role) } : { error: p.error ?? `HTTP ${p.status}` }),
              clockOffset: clockOffset(p.clock),
            };
          }),
        }
      : {}),
  };
}
