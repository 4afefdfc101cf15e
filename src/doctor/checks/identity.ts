import type { MemberProbe, Snapshot } from "../model.js";
import { fmtBytes, normRole, ownPosition, statusBody, urlHost, type StatusBody } from "./util.js";

/** Who answered at a member's advertised api_url. */
export interface Identity {
  name: string;
  body?: StatusBody;
  /** Reasons the answer is not this member's. Empty: nothing contradicts it. */
  evidence: string[];
  /** Other members whose answers came from the same PostgreSQL instance. */
  sameInstanceAs: string[];
  /** The member that answered, when it can be told (itself when not contradicted). */
  answersAs?: string;
  /** The answer is (very likely) another node's. */
  wrong: boolean;
}

/**
 * Tells which member really answered at each advertised api_url. Patroni 3.0.2's GET /patroni
 * carries no member name, so the answer is compared with what the member key says and with the
 * other answers:
 * - scope and system identifier: another cluster answered;
 * - role: the key says replica, the answer is a primary (or the reverse);
 * - WAL position: the key (read before the request) already shows a position beyond the
 *   answer's; a node's position never goes back;
 * - a primary's answer listing the member among its own streaming replicas;
 * - tags differ (the key and the answer both carry the member's effective tags);
 * - the api_url's host is another member's address (its conn_url host, or where its
 *   replication connection comes from: client_addr in the primary's pg_stat_replication) and
 *   none of this member's, when addresses are known (lab IPs, --resolve NAME=IP, DNS);
 * - two members' answers come from one PostgreSQL instance (same postmaster_start_time and
 *   system identifier): the one whose api_url host is not its own conn_url host is the wrong
 *   one (or both, when that does not tell).
 */
export function identify(s: Snapshot): Map<string, Identity> {
  const out = new Map<string, Identity>();
  const sysid = s.dcs?.initialize;
  for (const m of s.members) {
    const body = statusBody(m.api);
    const id: Identity = { name: m.name, body, evidence: [], sameInstanceAs: [], wrong: false };
    out.set(m.name, id);
    if (!body) continue;
    const k = m.key;
    if (body.patroni?.scope && body.patroni.scope !== s.scope) id.evidence.push(`it answers for cluster '${body.patroni.scope}', not '${s.scope}'`);
    if (sysid && body.database_system_identifier && body.database_system_identifier !== sysid) {
      id.evidence.push(`its database system identifier ${body.database_system_identifier} is not the cluster's ${sysid}`);
    }
    const keyRole = normRole(k.role);
    const apiRole = normRole(body.role);
    if (keyRole && apiRole && (keyRole === "primary") !== (apiRole === "primary") && ["primary", "replica"].includes(keyRole) && ["primary", "replica"].includes(apiRole)) {
      id.evidence.push(`the member key says ${keyRole}, the answer is a ${apiRole}`);
    }
    const pos = ownPosition(body);
    if (typeof k.xlog_location === "number" && pos !== undefined && pos < k.xlog_location && (k.timeline === undefined || body.timeline === undefined || k.timeline === body.timeline)) {
      id.evidence.push(`the member key already showed WAL position ${k.xlog_location}, the answer (fetched later) shows ${pos}, ${fmtBytes(k.xlog_location - pos)} behind`);
    }
    if (apiRole === "primary" && body.replication?.some((r) => r.application_name === m.name)) {
      id.evidence.push(`the answer is a primary that lists ${m.name} among its own replicas`);
    }
    if (k.tags && body.tags && JSON.stringify(sorted(k.tags)) !== JSON.stringify(sorted(body.tags))) {
      id.evidence.push(`tags differ: member key ${JSON.stringify(k.tags)}, answer ${JSON.stringify(body.tags)}`);
    }
  }
  // Addresses each member is known by: its conn_url host, and where its replication connection
  // comes from (client_addr in the primary's own pg_stat_replication). An api_url host that is
  // another member's address, and none of this member's, points at that member.
  const known = memberAddresses(s, primaryAnswer(s, out));
  for (const m of s.members) {
    const id = out.get(m.name)!;
    const a = m.apiHostAddress;
    if (!id.body || !a || known.get(m.name)?.has(a)) continue;
    const owner = s.members.find((o) => o.name !== m.name && known.get(o.name)?.has(a));
    if (owner) id.evidence.push(`its api_url host ${urlHost(m.key.api_url)} is ${a}, which is ${owner.name}'s address (${[...known.get(m.name)!].join(", ") || "no address"} is ${m.name}'s)`);
  }
  for (const id of out.values()) id.wrong = id.evidence.length > 0;

  // Answers from one PostgreSQL instance.
  const byInstance = new Map<string, string[]>();
  for (const m of s.members) {
    const b = out.get(m.name)!.body;
    if (!b?.postmaster_start_time) continue;
    const key = `${b.database_system_identifier ?? ""}|${b.postmaster_start_time}`;
    byInstance.set(key, [...(byInstance.get(key) ?? []), m.name]);
  }
  const probes = new Map(s.members.map((m) => [m.name, m]));
  for (const names of byInstance.values()) {
    if (names.length < 2) continue;
    for (const n of names) out.get(n)!.sameInstanceAs = names.filter((x) => x !== n);
    const started = out.get(names[0])!.body!.postmaster_start_time;
    const unexplained = names.filter((n) => !out.get(n)!.wrong);
    if (unexplained.length < 2) {
      // Already told apart: the shared instance corroborates.
      for (const n of names.filter((x) => out.get(x)!.wrong)) {
        out.get(n)!.evidence.push(`its answer comes from the same PostgreSQL instance (started ${started}) as ${names.filter((x) => x !== n).join(", ")}'s`);
      }
      continue;
    }
    const consistent = unexplained.filter((n) => selfConsistent(probes.get(n)!));
    const blame = consistent.length > 0 && consistent.length < unexplained.length ? unexplained.filter((n) => !consistent.includes(n)) : unexplained;
    for (const n of blame) {
      const others = names.filter((x) => x !== n);
      const m = probes.get(n)!;
      out.get(n)!.evidence.push(
        `its answer comes from the same PostgreSQL instance (started ${started}) as ${others.join(", ")}'s` +
          (blame.length < unexplained.length
            ? `, and its api_url host ${urlHost(m.key.api_url)} is not its conn_url host ${urlHost(m.key.conn_url)}`
            : " (which of them advertises the wrong address cannot be told from here)"),
      );
      out.get(n)!.wrong = true;
    }
  }
  // Who answered instead.
  for (const id of out.values()) {
    if (!id.body) continue;
    if (!id.wrong) id.answersAs = id.name;
    else {
      const genuine = id.sameInstanceAs.filter((n) => !out.get(n)!.wrong);
      if (genuine.length === 1) id.answersAs = genuine[0];
    }
  }
  return out;
}

/** The answer of the primary, from a member whose answer nothing contradicts (the leader's first). */
export function primaryAnswer(s: Snapshot, ids: Map<string, Identity>): StatusBody | undefined {
  const ok = (n: string | null | undefined) => {
    const id = n ? ids.get(n) : undefined;
    return id?.body && normRole(id.body.role) === "primary" && id.evidence.length === 0 ? id.body : undefined;
  };
  return ok(s.dcs?.leader) ?? s.members.map((m) => ok(m.name)).find(Boolean);
}

/** Per member: its conn_url host's address and the client_addr of its replication connection, when known. */
export function memberAddresses(s: Snapshot, primary: StatusBody | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of s.members) {
    const set = new Set<string>();
    if (m.connHostAddress) set.add(m.connHostAddress);
    const rep = primary?.replication?.find((r) => r.application_name === m.name);
    if (rep?.client_addr) set.add(rep.client_addr);
    out.set(m.name, set);
  }
  return out;
}

/** The api_url and conn_url name the same host (by address when known). */
function selfConsistent(m: MemberProbe): boolean {
  if (m.apiHostAddress && m.connHostAddress) return m.apiHostAddress === m.connHostAddress;
  return urlHost(m.key.api_url) !== "" && urlHost(m.key.api_url) === urlHost(m.key.conn_url);
}

function sorted(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
