import type { DoctorReport } from "./model.js";
import { fmtBytes, fmtOffset } from "./checks/util.js";
import { ETCD_REQUEST_TIMEOUT_SEC } from "./checks/timings.js";

function table(head: string[], rows: string[][]): string[] {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => "  " + r.map((c, i) => (i === r.length - 1 ? c : (c ?? "").padEnd(w[i]))).join("  ").trimEnd();
  return [line(head), ...rows.map(line)];
}

/** The report for people: members, etcd, settings, findings. */
export function formatDoctor(r: DoctorReport): string {
  const out: string[] = [];
  if (r.exitCode === 2) return `pgchaos doctor: ${r.error}`;
  const f = r.facts!;
  const s = r.snapshot;
  out.push(`pgchaos doctor: cluster ${r.scope} (namespace ${r.namespace})${s?.dcs ? `, DCS read through ${s.dcs.from}` : ""} at ${r.checkedAt}`);
  out.push("", "Members");
  out.push(
    ...table(
      ["member", "role", "api_url", "answers as", "conn_url", "tcp", "lag (DCS)", "lag (switchover check)", "clock"],
      f.members.map((m) => [
        `${m.name}${s?.dcs?.leader === m.name ? "*" : ""}`,
        m.role ?? "?",
        m.apiUrl ?? "-",
        m.answersAs === undefined ? "no answer" : `${m.answersAs}${m.apiRole && m.apiRole !== m.role ? ` (${m.apiRole})` : ""}`,
        m.connUrl ?? "-",
        m.connReachable === undefined ? "-" : m.connReachable ? "ok" : "FAIL",
        m.dcsLag === undefined ? "" : fmtBytes(m.dcsLag),
        m.checkLag === undefined ? "" : typeof m.checkLag === "number" ? fmtBytes(m.checkLag) : m.checkLag,
        m.clockOffset ? fmtOffset(m.clockOffset) : "",
      ]),
    ),
  );
  out.push("", "etcd");
  out.push(
    ...table(
      ["endpoint", "tcp", "linearizable read", "health", "clock"],
      f.etcd.map((e) => [
        e.url,
        e.tcp ? "ok" : "FAIL",
        e.linearizableMs !== undefined ? `${e.linearizableMs} ms` : `FAIL (${e.linearizableError})`,
        e.health === undefined ? "-" : String(e.health),
        e.clockOffset ? fmtOffset(e.clockOffset) : "",
      ]),
    ),
  );
  if (f.patroni?.length) {
    out.push("", "Patroni REST APIs given with --patroni");
    out.push(
      ...table(
        ["url", "answers as", "role", "clock"],
        f.patroni.map((p) => [p.url, p.answersAs ?? `no answer (${p.error})`, p.role ?? "", p.clockOffset ? fmtOffset(p.clockOffset) : ""]),
      ),
    );
  }
  const st = f.settings;
  const t = st.etcdTimeout;
  out.push("", "Settings (DCS /config)");
  out.push(
    `  ttl ${st.ttl}, loop_wait ${st.loop_wait}, retry_timeout ${st.retry_timeout}: loop_wait + 2*retry_timeout = ${st.loop_wait + 2 * st.retry_timeout} ${st.loop_wait + 2 * st.retry_timeout <= st.ttl ? "<=" : ">"} ttl`,
    `  Patroni's etcd request timeout: ${t.perRequestSec.toFixed(2)} s per try, ${t.triesPerMember} ${t.triesPerMember > 1 ? "tries" : "try"} per member, ${t.membersTried} of ${t.members} members (etcd's own: ${ETCD_REQUEST_TIMEOUT_SEC} s)`,
    `  maximum_lag_on_failover ${fmtBytes(st.maximum_lag_on_failover)}; failsafe_mode ${st.failsafe_mode ? "on" : "off"}; ${st.paused ? "paused (maintenance mode)" : "not paused"}`,
  );
  out.push("", r.findings.length ? `Findings (${r.findings.length})` : "No findings.");
  for (const x of r.findings) {
    out.push(`  ${x.severity.toUpperCase().padEnd(7)} ${x.code.padEnd(22)} ${x.subject}: ${x.message}`);
    for (const e of x.evidence ?? []) out.push(`          - ${e}`);
  }
  out.push("", "* leader. Clocks: offset against this machine from HTTP Date headers (1 s resolution).");
  return out.join("\n");
}

/** The JSON for machines (the snapshot only when asked: it repeats every answer). */
export function doctorJson(r: DoctorReport, withSnapshot: boolean): string {
  const { snapshot, ...rest } = r;
  return JSON.stringify(withSnapshot && snapshot ? { ...rest, snapshot } : rest, null, 2);
}
