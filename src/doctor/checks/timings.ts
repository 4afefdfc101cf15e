import type { Finding, Snapshot } from "../model.js";
import { settingsOf } from "./util.js";

/** etcd's server-side request timeout with the default election timeout: 5 s + 2 x 1 s (etcdserver ReqTimeout). */
export const ETCD_REQUEST_TIMEOUT_SEC = 7;

/**
 * Patroni 3.0.2's timeout per etcd request (patroni/dcs/etcd.py, _calculate_timeouts): with
 * read_timeout = retry_timeout and N etcd members (Patroni learns them all from the member
 * list), each member gets retry_timeout / N seconds, split further into tries when that leaves
 * at least 1 s per try (up to 3 tries with one member, 2 with two, 1 with three or more); when
 * retry_timeout / N is below 1 s, fewer members are tried.
 */
export function patroniEtcdTimeouts(members: number, retryTimeout: number): { membersTried: number; perRequestSec: number; triesPerMember: number } {
  let nodes = Math.max(1, members);
  let maxRetries = 4 - Math.min(nodes, 3);
  let retries = 1;
  let perNode = retryTimeout;
  while (nodes > 0) {
    perNode = retryTimeout / nodes;
    if (perNode >= 1) {
      while (retries < maxRetries && perNode / (retries + 1) >= 1) retries++;
      perNode /= retries;
      break;
    }
    nodes--;
    maxRetries = 1;
  }
  return { membersTried: nodes, perRequestSec: perNode, triesPerMember: retries };
}

/** How many etcd members Patroni uses: the member list, else the endpoints given. */
export const etcdMemberCount = (s: Snapshot) => s.dcs?.etcdMembers?.length || s.etcd.length;

/**
 * ttl, loop_wait and retry_timeout from the DCS /config key: Patroni's rule
 * loop_wait + 2*retry_timeout <= ttl, and Patroni's per-request etcd timeout against etcd's
 * own 7 s request timeout. When Patroni waits longer than etcd does, a member that cannot
 * reach its quorum answers "etcdserver: request timed out" before Patroni's timeout fires;
 * Patroni takes that answer as an answer, retries the same member (it only moves on after a
 * socket error or its own timeout) and can lose its leader lock (incident 2).
 */
export function timingsCheck(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  if (!s.dcs) return out;
  const { ttl, loop_wait, retry_timeout } = settingsOf(s.dcs);
  if (loop_wait + 2 * retry_timeout > ttl) {
    out.push({
      code: "timing-rule",
      severity: "error",
      subject: "config",
      message: `loop_wait + 2*retry_timeout = ${loop_wait} + 2*${retry_timeout} = ${loop_wait + 2 * retry_timeout} > ttl ${ttl}: the leader can lose its lock while it still retries the DCS (Patroni requires loop_wait + 2*retry_timeout <= ttl)`,
    });
  }
  const n = etcdMemberCount(s);
  const t = patroniEtcdTimeouts(n, retry_timeout);
  if (t.perRequestSec >= ETCD_REQUEST_TIMEOUT_SEC) {
    out.push({
      code: "etcd-request-timeout",
      severity: "error",
      subject: "config",
      message:
        `Patroni waits ${t.perRequestSec.toFixed(1)} s per etcd request (retry_timeout ${retry_timeout} / ${n} members${t.triesPerMember > 1 ? ` / ${t.triesPerMember} tries` : ""}), ` +
        `not less than etcd's own ${ETCD_REQUEST_TIMEOUT_SEC} s request timeout: a member that lost its quorum answers "etcdserver: request timed out" first, ` +
        `and Patroni retries that same member instead of moving to a healthy one (keep retry_timeout / members below ${ETCD_REQUEST_TIMEOUT_SEC} s)`,
    });
  }
  return out;
}
