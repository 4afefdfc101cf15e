import type { ClockOffset, Finding, Snapshot } from "../model.js";
import { identify } from "./identity.js";
import { clockOffset, fmtOffset, urlHost } from "./util.js";

/** etcd's peer prober warns "prober found high clock drift" above 1 s (rafthttp probing). */
export const ETCD_DRIFT_WARNING_MS = 1000;

/** Clock offsets vs this machine (interval in ms), by host: Patroni REST APIs and etcd endpoints. */
export function clockOffsets(s: Snapshot): { host: string; kind: "patroni" | "etcd"; offset: ClockOffset }[] {
  const ids = identify(s);
  const out: { host: string; kind: "patroni" | "etcd"; offset: ClockOffset }[] = [];
  for (const m of s.members) {
    // A wrong api_url reaches another member's host, which that member's own row covers.
    if (ids.get(m.name)?.wrong) continue;
    const o = clockOffset(m.clock);
    if (o) out.push({ host: m.name, kind: "patroni", offset: o });
  }
  for (const p of s.patroni ?? []) {
    const o = clockOffset(p.clock);
    if (o) out.push({ host: urlHost(p.url), kind: "patroni", offset: o });
  }
  for (const e of s.etcd) {
    const o = clockOffset(e.clock);
    if (o) out.push({ host: e.url, kind: "etcd", offset: o });
  }
  return out;
}

/**
 * Clock offsets from HTTP `Date` headers (1 s resolution; several samples narrow the interval).
 * A finding only when the offset is certainly beyond etcd's 1 s drift warning: of a host vs
 * this machine, or between two etcd members (what etcd's prober complains about).
 */
export function clockCheck(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  const offsets = clockOffsets(s);
  for (const { host, kind, offset } of offsets) {
    if (offset.lo > ETCD_DRIFT_WARNING_MS || offset.hi < -ETCD_DRIFT_WARNING_MS) {
      out.push({
        code: "clock-offset",
        severity: "error",
        subject: host,
        message: `${kind === "etcd" ? "etcd member" : "Patroni host"} ${host}: clock ${fmtOffset(offset)} against this machine's (certainly beyond ${ETCD_DRIFT_WARNING_MS / 1000} s; from ${offset.samples} HTTP Date headers)`,
      });
    }
  }
  const etcd = offsets.filter((o) => o.kind === "etcd");
  for (let i = 0; i < etcd.length; i++) {
    for (let j = i + 1; j < etcd.length; j++) {
      const a = etcd[i].offset;
      const b = etcd[j].offset;
      const lo = a.lo - b.hi;
      const hi = a.hi - b.lo;
      if (lo > ETCD_DRIFT_WARNING_MS || hi < -ETCD_DRIFT_WARNING_MS) {
        out.push({
          code: "clock-offset",
          severity: "error",
          subject: `${etcd[i].host} / ${etcd[j].host}`,
          message: `etcd members ${etcd[i].host} and ${etcd[j].host} differ by ${fmtOffset({ lo, hi, samples: 0 })}: beyond etcd's ${ETCD_DRIFT_WARNING_MS / 1000} s drift warning ("prober found high clock drift")`,
        });
      }
    }
  }
  return out;
}
