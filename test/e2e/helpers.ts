import Dockerode from "dockerode";
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
  return { containers: containers.map((c) => c.Names[0]), networks: networks.map((n) => n.Name) };
}

export const quietProgress = (line: string) => {
  if (process.env.PGCHAOS_TEST_VERBOSE === "1") process.stderr.write(`  ${line}\n`);
};
