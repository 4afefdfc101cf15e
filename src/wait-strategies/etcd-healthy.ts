import type { Lab } from "../lab/lab-api.js";
import { etcdHttp } from "../lab/lab-clients.js";
import { waitFor } from "../util/time.js";
import type { LabWaitStrategy } from "./wait-strategy.js";

/** Every etcd member answers /health with health=true (which needs a quorum and a raft leader). */
export class EtcdHealthy implements LabWaitStrategy {
  readonly name = "etcd healthy";
  async waitUntilReady(lab: Lab, timeoutMs: number, signal?: AbortSignal) {
    await waitFor(
      "every etcd member healthy",
      async () => (await Promise.all(lab.etcdNodes().map((n) => etcdHttp(lab, n.name).health().catch(() => false)))).every(Boolean),
      { timeoutMs, intervalMs: 200, signal },
    );
  }
}
