import type { Fault, FaultContext } from "../fault.js";
import { chainHealScript, chainName, peerIps } from "../shared/iptables.js";

export type PartitionDirection = "both" | "in" | "out";

/**
 * Cut the isolated nodes off from a set of peers with iptables inside the isolated containers
 * (NET_ADMIN only). Rules name peer addresses, so loopback (Patroni reaches its own PostgreSQL
 * over localhost) and the harness (it comes in through the Docker gateway) are spared.
 * Every rule lives in one chain per fault instance, so heal is a flush and delete.
 */
export class NetworkPartition implements Fault {
  readonly type = "partition";
  private readonly chain: string;
  constructor(
    readonly targets: string[],
    /** Peers to cut from; undefined = every other lab node. */
    private readonly from: string[] | undefined,
    private readonly direction: PartitionDirection = "both",
    id = "p",
    /** Only TCP traffic to or from these ports (either side); undefined = all traffic. */
    private readonly ports?: number[],
  ) {
    this.chain = chainName("", id);
  }

  async inject(ctx: FaultContext) {
    const ips = peerIps(ctx, this.targets, this.from);
    for (const node of this.targets) {
      const rules: string[] = [`iptables -N ${this.chain} 2>/dev/null || iptables -F ${this.chain}`];
      // With ports: a packet is dropped when its source or destination port is listed, so both
      // connections the target opens to that port and connections it serves on it are cut.
      const match = this.ports?.length ? this.ports.flatMap((p) => [`-p tcp --dport ${p}`, `-p tcp --sport ${p}`]) : [""];
      for (const ip of ips) {
        for (const m of match) {
          if (this.direction !== "out") rules.push(`iptables -A ${this.chain} -s ${ip} ${m} -j DROP`.replace(/ +/g, " "));
          if (this.direction !== "in") rules.push(`iptables -A ${this.chain} -d ${ip} ${m} -j DROP`.replace(/ +/g, " "));
        }
      }
      rules.push(`iptables -I INPUT 1 -j ${this.chain}`, `iptables -I OUTPUT 1 -j ${this.chain}`);
      await ctx.lab.exec(node, ["sh", "-ec", rules.join("\n")]);
      ctx.log(`${node}: partitioned (${this.direction}) from ${ips.length} peers${this.ports?.length ? ` on TCP port ${this.ports.join(", ")}` : ""}`);
    }
  }

  async heal(ctx: FaultContext, target: string) {
    await ctx.lab.exec(target, ["sh", "-c", this.healScript()]);
  }

  private healScript(): string {
    return chainHealScript(this.chain);
  }

  manualHeal(_target: string, container: string) {
    return `docker exec ${container} sh -c '${this.healScript()}'`;
  }
}
