import type Dockerode from "dockerode";
import type { NodeKind } from "./lab-api.js";
import { LABEL_KIND, LABEL_NODE, runLabels } from "./labels.js";
import { errorText } from "../util/errors.js";

/**
 * Where each kind of node keeps its data: the directory its data directory is made in (Patroni
 * runs initdb or pg_basebackup into /var/lib/postgresql/data; etcd keeps /var/lib/etcd/data).
 */
export const DATA_PARENT: Partial<Record<NodeKind, string>> = { etcd: "/var/lib/etcd", patroni: "/var/lib/postgresql" };

/** The keeper's command: it only has to exist. `sleep` ignores SIGTERM as PID 1, so removal kills it. */
const KEEPER_CMD = ["sleep", "infinity"];

/**
 * A lab's data directories in memory: one tmpfs volume a node (Docker's local driver), so that
 * initdb, pg_basebackup, PostgreSQL's WAL and etcd's fsyncs never touch the engine's disk. On
 * the ext4 this project is measured on, each file created in a container's writable layer cost
 * about 0.5 ms of kernel time (ext4's inode allocator looks for recently deleted inodes, and a
 * game day deletes thousands a minute): initdb and two basebackups create some 3 000. In memory
 * a lab started in 4.5-5.3 core-seconds instead of 6.3-8.4, its replicas streaming at 5.1 s
 * instead of 7.3-9.1 s (`npm run bench`, quiet machine, 2026-12-06).
 *
 * A tmpfs volume lives while some container has it mounted: a node whose container is stopped
 * (container-stop) would come back with an empty data directory, which is not what stopping a
 * machine does. So before a container stops, a keeper container (no network, `sleep`) mounts
 * every volume of the lab and holds it until the lab is removed. It is started only when a
 * stop can come (the scenario has a container-stop, `pgchaos up`) or at the first stop.
 */
export class DataVolumes {
  private readonly names = new Map<string, string>();
  private keeper?: Promise<void>;
  /** The keeper's container once created (teardown removes it with the nodes, started or not). */
  keeperId?: string;

  constructor(
    private readonly docker: Dockerode,
    private readonly runId: string,
    private readonly image: string,
  ) {}

  /** Creates the node's volume and says where its container mounts it (nothing for a kind without data). */
  async forNode(node: string, kind: NodeKind): Promise<{ Type: "volume"; Source: string; Target: string }[]> {
    const target = DATA_PARENT[kind];
    if (!target) return [];
    const name = `pgchaos-${this.runId}-${node}-data`;
    // Recorded before it exists, so that removal is tried whatever happens next.
    this.names.set(node, name);
    await this.docker.createVolume({
      Name: name,
      Driver: "local",
      DriverOpts: { type: "tmpfs", device: "tmpfs" },
      Labels: { ...runLabels(this.runId), [LABEL_NODE]: node, [LABEL_KIND]: "data" },
    });
    return [{ Type: "volume", Source: name, Target: target }];
  }

  /**
   * Every volume mounted in the keeper, so that a stopped container finds its data again.
   * Idempotent: callers share one keeper. Call it once every node's volume exists.
   */
  hold(): Promise<void> {
    this.keeper ??= (async () => {
      const container = await this.docker.createContainer({
        name: `pgchaos-${this.runId}-keeper`,
        Image: this.image,
        Entrypoint: KEEPER_CMD,
        Cmd: [],
        Labels: { ...runLabels(this.runId), [LABEL_KIND]: "keeper" },
        HostConfig: {
          NetworkMode: "none",
          Mounts: [...this.names].map(([node, name]) => ({ Type: "volume" as const, Source: name, Target: `/hold/${node}` })),
        },
      });
      this.keeperId = container.id;
      await container.start();
    })();
    return this.keeper;
  }

  /** Removes every volume; the containers that mount them must be gone. Never throws. */
  async remove(progress: (line: string) => void): Promise<void> {
    await Promise.all(
      [...this.names.values()].map((name) =>
        this.docker
          .getVolume(name)
          .remove()
          .catch((e: unknown) => {
            if ((e as { statusCode?: number }).statusCode !== 404) progress(`teardown: removing volume ${name}: ${errorText(e)}`);
          }),
      ),
    );
  }
}
