import type { Finding, Snapshot } from "../model.js";
import { identify } from "./identity.js";
import { settingsOf } from "./util.js";

/**
 * Every member's advertised api_url answers, and it is that member answering (not another
 * node: incident 4's wrong restapi.connect_address). The leader asks this address about a
 * candidate before a switchover or failover, and judges the candidate by whatever answers.
 */
export function apiUrlCheck(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  const ids = identify(s);
  const failsafe = settingsOf(s.dcs).failsafe_mode;
  for (const m of s.members) {
    const url = m.key.api_url;
    if (!url) {
      out.push({ code: "api-url-unreachable", severity: "error", subject: m.name, message: `${m.name}'s member key advertises no api_url` });
      continue;
    }
    const id = ids.get(m.name)!;
    if (!id.body) {
      const why = m.api?.error ?? (m.api?.status !== undefined ? `HTTP ${m.api.status} without Patroni's status JSON` : "not asked");
      out.push({
        code: "api-url-unreachable",
        severity: "error",
        subject: m.name,
        message:
          `${m.name}'s api_url ${url} does not answer (${why})${m.api?.via ? ` [asked at ${m.api.via}]` : ""}: Patroni counts ${m.name} as unreachable, ` +
          `so a switchover or failover to it is refused (412 "no good candidates have been found")`,
      });
      continue;
    }
    if (id.wrong) {
      out.push({
        code: "api-url-mismatch",
        severity: "error",
        subject: m.name,
        message:
          `${m.name}'s api_url ${url} reaches ${id.answersAs ? `${id.answersAs}'s` : "another node's"} REST API, not ${m.name}'s. ` +
          `The leader judges ${m.name} by that node's state before a switchover or failover to it: it is refused when that node lags ` +
          `or is a primary (503 "exceeds maximum replication lag") or has no PostgreSQL running (412)` +
          (failsafe ? `; with failsafe_mode on, the leader's POST /failsafe for ${m.name} goes there too` : ""),
        evidence: id.evidence,
      });
    }
  }
  const byUrl = new Map<string, string[]>();
  for (const m of s.members) if (m.key.api_url) byUrl.set(m.key.api_url, [...(byUrl.get(m.key.api_url) ?? []), m.name]);
  for (const [url, names] of byUrl) {
    if (names.length > 1) {
      out.push({ code: "api-url-duplicate", severity: "error", subject: names.join(", "), message: `${names.join(" and ")} advertise the same api_url ${url}` });
    }
  }
  return out;
}
