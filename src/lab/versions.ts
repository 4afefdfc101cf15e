import type { StartedLab } from "./start-lab.js";
import { hasHaproxy } from "./haproxy.js";
import type { Versions } from "../report/model.js";

/**
 * What the lab really runs: asked of the running containers' binaries, never typed by hand
 * (the image's facts, read from the same binaries when it was built or checked, fill any gap).
 */
export async function readVersions(started: StartedLab): Promise<Partial<Versions>> {
  const lab = started.lab;
  const { facts } = started.labImage;
  const pg = lab.patroniNodes()[0].name;
  const etcd = lab.etcdNodes()[0].name;
  const first = async (node: string, cmd: string[]) =>
    (await lab.exec(node, cmd, { check: false }).catch(() => ({ stdout: "" }))).stdout.split("\n")[0].trim();
  const [postgresql, patroni, etcdV, haproxy] = await Promise.all([
    first(pg, [`${facts.pgBinDir}/postgres`, "--version"]).then((s) => s.replace(/^postgres \(PostgreSQL\) /, "")),
    first(pg, ["patroni", "--version"]).then((s) => s.replace(/^patroni /, "")),
    first(etcd, ["etcd", "--version"]).then((s) => s.replace(/^etcd Version: /, "")),
    hasHaproxy(lab) ? first("haproxy", ["haproxy", "-v"]).then((s) => s.replace(/^HAProxy version (\S+).*$/, "$1")) : Promise.resolve(""),
  ]);
  return {
    postgresql: postgresql || facts.versions.postgresql,
    patroni: patroni || facts.versions.patroni,
    etcd: etcdV || facts.versions.etcd,
    ...(haproxy ? { haproxy } : {}),
    ...(started.labImage.stack ? { stack: started.labImage.stack } : {}),
    image: started.image,
  };
}
