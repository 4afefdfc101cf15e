import type { Fault, FaultContext } from "../fault.js";
import { holdService } from "../shared/process-control.js";
import { ETCD_DATA_DIR, ETCD_ENV_PATH, etcdEnv } from "../../lab/etcd-command.js";
import { newRunId } from "../../lab/run-id.js";

/**
 * The whole DCS is lost and rebuilt empty (incident 5, variant): every member is killed, its
 * data wiped, and a brand-new cluster (new cluster token) starts at the same addresses.
 * Patroni is documented to re-register the leader key and the cluster's config by itself.
 * One-shot: heal has nothing to undo (the old cluster is gone for good).
 */
export class EtcdRebuild implements Fault {
  readonly type = "etcd-rebuild";
  constructor(readonly targets: string[]) {}

  async inject(ctx: FaultContext) {
    const token = `pgchaos-rebuilt-${newRunId()}`;
    for (const m of this.targets) await holdService(ctx.lab, m, "etcd", true);
    await Promise.all(
      this.targets.map((m) =>
        ctx.lab.exec(m, [
          "sh",
          "-c",
          `pkill -KILL -x etcd; while pgrep -x etcd >/dev/null; do sleep 0.1; done; rm -rf ${ETCD_DATA_DIR}; printf '%s' '${etcdEnv(token)}' > ${ETCD_ENV_PATH}`,
        ]),
      ),
    );
    ctx.log(`etcd wiped on ${this.targets.join(", ")}; starting a new empty cluster`);
    // Release all holds together: the new members must find each other to form a quorum.
    await Promise.all(this.targets.map((m) => holdService(ctx.lab, m, "etcd", false)));
  }

  /** The old cluster is gone for good; heal only makes sure no hold survives a partial inject. */
  async heal(ctx: FaultContext, member: string) {
    await holdService(ctx.lab, member, "etcd", false);
  }
}
