import type { StartedLab } from "./start-lab.js";
import { hasHaproxy } from "./haproxy.js";
import type { Versions } from "../report/model.js";

/** What the lab's image really runs: read from its binaries, never typed by hand. */
export async function readVersions(started: StartedLab): Promise<Partial<Versions>> {
  const lab = started.lab;
  const pg = lab.patroniNodes()[0].name;
  const etcd = lab.etcdNodes()[0].name;
  const first = async (node: string, cmd: string[]) =>
    (await lab.exec(node, cmd, { check: false }).catch(() => ({ stdout: "" }))).stdout.split("\n")[0].trim();
  const [postgresql, patroni, etcdV, haproxy] = await Promise.all([
    first(pg, ["/usr/lib/postgresql/15/bin/postgres", "--version"]).then((s) => s.replace(/^postgres \(PostgreSQL\) /, "")),
    first(pg, ["patroni", "--version"]).then((s) => s.replace(/^patroni /, "")),
    first(etcd, ["etcd", "--version"]).then((s) => s.replace(/^etcd Version: /, "")),
    hasHaproxy(lab) ? first("haproxy", ["haproxy", "-v"]).then((s) => s.replace(/^HAProxy version (\S+).*$/, "$1")) : Promise.resolve(""),
  ]);
  return { postgresql, patroni, etcd: etcdV, ...(haproxy ? { haproxy } : {}) };
}
