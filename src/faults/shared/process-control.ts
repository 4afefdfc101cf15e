import type { Lab } from "../../lab/lab-api.js";
import { PG_DATA_DIR } from "../../lab/patroni-config.js";

export type ServiceProcess = "patroni" | "postgres" | "etcd";

/**
 * Shell that prints the PID of a service's main process inside its container. The postmaster
 * is found through postmaster.pid (its backends share its command name).
 */
export function mainPidShell(p: ServiceProcess): string {
  switch (p) {
    case "postgres":
      return `head -1 ${PG_DATA_DIR}/postmaster.pid 2>/dev/null`;
    case "patroni":
      return "pgrep -o -x patroni";
    case "etcd":
      return "pgrep -o -x etcd";
  }
}

/** Send a signal to a service's main process; returns the PID signalled (throws if none). */
export async function signalService(lab: Lab, node: string, p: ServiceProcess, signal: string): Promise<number> {
  const r = await lab.exec(node, ["sh", "-c", `pid=$(${mainPidShell(p)}); [ -n "$pid" ] || exit 3; kill -${signal} "$pid" && echo "$pid"`], {
    check: false,
  });
  if (r.exitCode === 3) throw new Error(`${node}: no running ${p} process`);
  if (r.exitCode !== 0) throw new Error(`${node}: kill -${signal} ${p} failed: ${r.stderr.trim()}`);
  return Number(r.stdout.trim());
}

/** The supervisor does not restart a held service (see compose/scripts/pgchaos-supervise). */
export async function holdService(lab: Lab, node: string, service: "patroni" | "etcd", hold: boolean): Promise<void> {
  await lab.exec(node, ["sh", "-c", hold ? `touch /run/pgchaos/hold-${service}` : `rm -f /run/pgchaos/hold-${service}`]);
}

/** Which supervised service of a container runs this process kind (postgres lives under patroni). */
export function serviceOf(p: ServiceProcess): "patroni" | "etcd" {
  return p === "etcd" ? "etcd" : "patroni";
}
