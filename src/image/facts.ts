import path from "node:path";
import { readFile } from "node:fs/promises";
import type Dockerode from "dockerode";
import { composeDir } from "../util/paths.js";
import { UserFacingError, errorText } from "../util/errors.js";

/** What pgchaos knows about a lab image: read from the image itself, never typed by hand. */
export interface ImageFacts {
  /** PostgreSQL's server binaries (Patroni's postgresql.bin_dir). */
  pgBinDir: string;
  versions: { postgresql: string; patroni: string; etcd: string; haproxy?: string };
  /** What the image lacks of docs/image-contract.md, one sentence each; empty when it meets it. */
  missing: string[];
  /** The pgchaos stack it was built from (its pgchaos.stack label), when pgchaos built it. */
  stack?: string;
}

/** The probe that prints the facts (compose/scripts/pgchaos-image-facts, also inside our images). */
export const FACTS_SCRIPT = path.join(composeDir, "scripts", "pgchaos-image-facts");

/** Image labels the builder records the facts under, so that reading them later is an inspect. */
export const FACT_LABELS = {
  pgBinDir: "pgchaos.pg-bin-dir",
  postgresql: "pgchaos.version.postgresql",
  patroni: "pgchaos.version.patroni",
  etcd: "pgchaos.version.etcd",
  haproxy: "pgchaos.version.haproxy",
} as const;

/** Parses the probe's KEY=value lines. */
export function parseFacts(text: string): ImageFacts {
  const kv = new Map<string, string>();
  const missing: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const k = line.slice(0, eq);
    const v = line.slice(eq + 1).trim();
    if (k === "missing") missing.push(v);
    else kv.set(k, v);
  }
  const haproxy = kv.get("haproxy_version");
  const facts: ImageFacts = {
    pgBinDir: kv.get("pg_bin_dir") ?? "",
    versions: { postgresql: kv.get("postgres_version") ?? "", patroni: kv.get("patroni_version") ?? "", etcd: kv.get("etcd_version") ?? "", ...(haproxy ? { haproxy } : {}) },
    missing,
  };
  if (!facts.pgBinDir) facts.missing.unshift("a PostgreSQL bin directory (pg_config --bindir, or /usr/lib/postgresql/N/bin)");
  return facts;
}

/** The facts as image labels (recorded at build time). */
export function factLabels(f: ImageFacts): Record<string, string> {
  const l: Record<string, string> = {
    [FACT_LABELS.pgBinDir]: f.pgBinDir,
    [FACT_LABELS.postgresql]: f.versions.postgresql,
    [FACT_LABELS.patroni]: f.versions.patroni,
    [FACT_LABELS.etcd]: f.versions.etcd,
  };
  if (f.versions.haproxy) l[FACT_LABELS.haproxy] = f.versions.haproxy;
  return l;
}

/** The facts from labels, when the image carries all of them (only images pgchaos built and checked). */
export function factsFromLabels(labels: Record<string, string> | null | undefined): ImageFacts | undefined {
  if (!labels) return undefined;
  const pgBinDir = labels[FACT_LABELS.pgBinDir];
  const postgresql = labels[FACT_LABELS.postgresql];
  const patroni = labels[FACT_LABELS.patroni];
  const etcd = labels[FACT_LABELS.etcd];
  if (!pgBinDir || !postgresql || !patroni || !etcd) return undefined;
  const haproxy = labels[FACT_LABELS.haproxy];
  return { pgBinDir, versions: { postgresql, patroni, etcd, ...(haproxy ? { haproxy } : {}) }, missing: [] };
}

/** Runs the probe in a throwaway container of the image: no network, no capabilities, removed after. */
export async function probeImage(docker: Dockerode, image: string): Promise<ImageFacts> {
  return parseFacts(await probeOutput(docker, image, await readFile(FACTS_SCRIPT, "utf8"), "image-facts"));
}

/** Runs a sh script in a throwaway container of the image (no network, no capabilities, removed after); its stdout. */
export async function probeOutput(docker: Dockerode, image: string, script: string, probe: string): Promise<string> {
  let container: Dockerode.Container | undefined;
  try {
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ["/bin/sh", "-c", script],
      Cmd: [],
      User: "root",
      Labels: { "pgchaos.probe": probe },
      HostConfig: { NetworkMode: "none", CapDrop: ["ALL"], AutoRemove: false },
    });
    await container.start();
    await container.wait();
    const raw = (await container.logs({ stdout: true, stderr: false, follow: false })) as Buffer;
    return demux(raw);
  } catch (e) {
    throw new UserFacingError(`cannot examine image ${image}: ${errorText(e).split("\n")[0]} (it needs /bin/sh; see docs/image-contract.md)`);
  } finally {
    await container?.remove({ force: true }).catch(() => {});
  }
}

/** docker logs of a container without a TTY: 8-byte frame headers before each chunk. */
function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The image's facts: its labels when pgchaos built it, else the probe's answer. */
export async function imageFacts(docker: Dockerode, image: string): Promise<ImageFacts> {
  let labels: Record<string, string> | undefined;
  try {
    labels = (await docker.getImage(image).inspect()).Config?.Labels ?? undefined;
  } catch (e) {
    throw new UserFacingError(`image ${image} is not present on the Docker engine (${errorText(e).split("\n")[0]}); pull or build it first`);
  }
  const facts = factsFromLabels(labels) ?? (await probeImage(docker, image));
  const stack = labels?.["pgchaos.stack"];
  return stack ? { ...facts, stack } : facts;
}

/** The facts of an image that must meet the contract: a clear error listing what it lacks. */
export async function checkedImageFacts(docker: Dockerode, image: string): Promise<ImageFacts> {
  const f = await imageFacts(docker, image);
  if (f.missing.length) {
    throw new UserFacingError(
      `image ${image} does not meet pgchaos's image contract (docs/image-contract.md); it lacks:\n${f.missing.map((m) => `  - ${m}`).join("\n")}`,
    );
  }
  return f;
}
