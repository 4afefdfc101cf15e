import type { Lab } from "../lab/lab-api.js";
import { dcsPrefix, etcdHttp, patroniRest } from "../lab/lab-clients.js";
import { normaliseRole } from "../clients/patroni-rest.js";
import { waitFor } from "../util/time.js";
import type { LabWaitStrategy } from "./wait-strategy.js";

/** The DCS leader key names a node, and that node's REST API says it is a running primary. */
export class LeaderElected implements LabWaitStrategy {
  readonly name = "leader elected";
  leader?: string;
  async waitUntilReady(lab: Lab, timeoutMs: number, signal?: AbortSignal) {
    this.leader = await waitFor(
      "a Patroni leader",
      async () => {
        const etcd = etcdHttp(lab, lab.etcdNodes()[0].name);
        const kvs = await etcd.range(`${dcsPrefix(lab)}leader`);
        const holder = kvs.find((kv) => kv.key.endsWith("/leader"))?.value;
        if (!holder) return undefined;
        const st = await patroniRest(lab, holder).status();
        return normaliseRole(st.body?.role) === "primary" && st.body?.state === "running" ? holder : undefined;
      },
      { timeoutMs, intervalMs: 200, signal },
    );
  }
}
