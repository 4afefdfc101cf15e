import type { EtcdProbe, Finding, Snapshot } from "../model.js";

const healthy = (e: EtcdProbe) => {
  const b = e.health.body as { health?: unknown } | undefined;
  return e.health.status === 200 && (b?.health === "true" || b?.health === true);
};

/**
 * Each etcd endpoint: accepts TCP, serves a linearizable read (which needs the raft quorum)
 * within the timeout, and says it is healthy. Incident 2's member accepted connections and
 * answered locally but could not reach its peers: requests through it timed out.
 */
export function etcdHealthCheck(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  for (const e of s.etcd) {
    if (!e.tcp.ok) {
      out.push({ code: "etcd-unreachable", severity: "error", subject: e.url, message: `etcd ${e.url} does not accept TCP connections (${e.tcp.error ?? "failed"})` });
      continue;
    }
    if (e.linearizable.status !== 200) {
      const why = e.linearizable.error ?? `HTTP ${e.linearizable.status} ${JSON.stringify(e.linearizable.body ?? "").slice(0, 160)}`;
      const ser = e.serializable.status === 200 ? "a serializable (local) read works" : `a serializable read fails too (${e.serializable.error ?? `HTTP ${e.serializable.status}`})`;
      const health = e.health.status === undefined ? `/health: ${e.health.error}` : `/health: HTTP ${e.health.status} ${JSON.stringify(e.health.body ?? "").slice(0, 80)}`;
      out.push({
        code: "etcd-half-healthy",
        severity: "error",
        subject: e.url,
        message: `etcd ${e.url} accepts TCP connections but did not serve a linearizable read: ${why}; ${ser}; ${health}. Patroni keeps sending requests to it until each one times out`,
      });
      continue;
    }
    if (!healthy(e)) {
      out.push({
        code: "etcd-unhealthy",
        severity: "error",
        subject: e.url,
        message: `etcd ${e.url} serves reads but its /health says ${e.health.status ?? e.health.error} ${JSON.stringify(e.health.body ?? "").slice(0, 120)}`,
      });
    }
  }
  return out;
}
