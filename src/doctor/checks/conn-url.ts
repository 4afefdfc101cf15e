import type { Finding, Snapshot } from "../model.js";
import { identify, memberAddresses, primaryAnswer } from "./identity.js";
import { urlHost } from "./util.js";

/**
 * Every member's advertised PostgreSQL address (conn_url: replicas stream from the leader's,
 * pg_rewind and basebackup use it) accepts TCP connections, is not shared with another member,
 * and does not name another member's address (its conn_url host or the client_addr of its
 * replication connection in the primary's pg_stat_replication), when addresses are known.
 */
export function connUrlCheck(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  const primary = primaryAnswer(s, identify(s));
  const known = memberAddresses(s, primary);
  for (const m of s.members) {
    const url = m.key.conn_url;
    if (!url) {
      out.push({ code: "conn-url-unreachable", severity: "error", subject: m.name, message: `${m.name}'s member key advertises no conn_url` });
      continue;
    }
    if (m.conn && !m.conn.ok) {
      out.push({
        code: "conn-url-unreachable",
        severity: "error",
        subject: m.name,
        message: `${m.name}'s conn_url ${url} does not accept TCP connections (${m.conn.error ?? "failed"})${m.conn.via ? ` [tried ${m.conn.via}]` : ""}`,
      });
    }
    const rep = primary?.replication?.find((r) => r.application_name === m.name);
    const a = m.connHostAddress;
    const owner = a && rep?.client_addr && rep.client_addr !== a ? s.members.find((o) => o.name !== m.name && known.get(o.name)?.has(a)) : undefined;
    if (owner) {
      out.push({
        code: "conn-url-mismatch",
        severity: "error",
        subject: m.name,
        message: `${m.name}'s conn_url host ${urlHost(url)} is ${a}, which is ${owner.name}'s address; ${m.name}'s replication connection comes from ${rep!.client_addr}`,
      });
    }
  }
  const byAddr = new Map<string, string[]>();
  for (const m of s.members) {
    if (!m.conn || !m.key.conn_url) continue;
    const where = `${m.connHostAddress ?? m.conn.host.toLowerCase()}:${m.conn.port}`;
    byAddr.set(where, [...(byAddr.get(where) ?? []), m.name]);
  }
  for (const [where, names] of byAddr) {
    if (names.length > 1) {
      out.push({ code: "conn-url-mismatch", severity: "error", subject: names.join(", "), message: `${names.join(" and ")} advertise the same PostgreSQL address ${where}` });
    }
  }
  return out;
}
