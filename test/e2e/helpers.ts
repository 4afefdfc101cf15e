import type { HistoryEvent, NodeSample } from "../../src/history/events.js";
import Dockerode from "dockerode";
import type { ResultPromise } from "execa";
import { inject } from "vitest";
import { LABEL_RUN } from "../../src/lab/labels.js";

process.env.TESTCONTAINERS_RYUK_DISABLED = "true";
if (!process.env.PGCHAOS_IMAGE) process.env.PGCHAOS_IMAGE = inject("labImage");

export const docker = new Dockerode();

/** Containers and networks that carry a run's label (all pgchaos runs when runId is omitted). */
export async function leftovers(runId?: string) {
  const filters = JSON.stringify({ label: [runId ? `${LABEL_RUN}=${runId}` : LABEL_RUN] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return { containers: containers.map((c) => c.Names[0]), networks: networks.map((n) => n.Name), volumes: volumes.map((v) => v.Name) };
}

export const quietProgress = (line: string) => {
  if (process.env.PGCHAOS_TEST_VERBOSE === "1") process.stderr.write(`  ${line}\n`);
};

/** Starts the CLI and resolves when a line matching `re` appears on stdout or stderr. */
export function waitForLine(p: ResultPromise, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const t = setTimeout(() => reject(new Error(`no line matching ${re} within ${timeoutMs} ms; output so far:\n${buf.slice(-3000)}`)), timeoutMs);
    const on = (d: Buffer) => {
      buf += d.toString();
      const m = buf.split("\n").find((l) => re.test(l));
      if (m) {
        clearTimeout(t);
        resolve(m);
      }
    };
    p.stdout?.on("data", on);
    p.stderr?.on("data", on);
  });
}

/** A node's samples in which its REST API answered, in record order. */
export const samplesOf = (events: readonly HistoryEvent[], node: string) => events.filter((e): e is NodeSample => e.kind === "node" && e.node === node && e.restUp);
