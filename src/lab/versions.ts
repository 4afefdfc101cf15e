import type { StartedLab } from "./start-lab.js";
import type { Versions } from "../report/model.js";

/**
 * What the lab runs: the image's facts, which were read from the image's own binaries (its
 * `postgres`, `patroni`, `etcd` and `haproxy` answering --version, by compose/scripts/pgchaos-image-facts)
 * when pgchaos built or checked the image. The lab's containers run those same binaries, so asking
 * them again at every run (three `docker exec`s and a Python start of Patroni, about half a
 * core-second of a two-core machine) told nothing new. The one action that changes a binary during a
 * run, upgrade-patroni, waits for the node's REST API to report the version it installed.
 */
export function labVersions(started: Pick<StartedLab, "labImage" | "image">): Partial<Versions> {
  const { facts, stack } = started.labImage;
  return {
    postgresql: facts.versions.postgresql,
    patroni: facts.versions.patroni,
    etcd: facts.versions.etcd,
    ...(facts.versions.haproxy ? { haproxy: facts.versions.haproxy } : {}),
    ...(stack ? { stack } : {}),
    image: started.image,
  };
}
