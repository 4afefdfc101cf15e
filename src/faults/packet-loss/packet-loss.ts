import type { Fault, FaultContext } from "../fault.js";
import { chainHealScript, chainName, peerIps } from "../shared/iptables.js";

export type LossDirection = "both" | "in" | "out";

/**
 * Random packet loss on chosen links: iptables' statistic match drops each matching packet with
 * probability `probability`, inside the target containers (NET_ADMIN only), as the partition
 * fault does with certainty. Rules name peer addresses, so loopback and the harness (through the
 * Docker gateway) keep every packet. All rules live in one chain per fault instance, so heal is
 * a flush and delete, idempotent and safe after a partial inject.
 */
export class PacketLoss implements Fault {
  readonly type = "packet-loss";
  readonly chain: string;
  constructor(
    readonly targets: string[],
    /** Peers whose traffic with the targets is lossy; undefined = every other lab node. */
    private readonly from: string[] | undefined,
    /** Share of matching packets dropped, 0 < p <= 1. */
    private readonly probability: number,
    private readonly direction: LossDirection = "both",
    id = "l",
    /** Only TCP traffic to or from these ports (either side); undefined = all traffic. */
    private readonly ports?: number[],
  ) {
    this.chain = chainName("L-", id);
  }

  /** The iptables commands that set up the chain in a target, given the peers' addresses. */
  injectScript(peerIps: string[]): string {
    const c = this.chain;
    const lines = [`iptables -N ${c} 2>/dev/null || iptables -F ${c}`];
    const loss = `-m statistic --mode random --probability ${this.probability}`;
    const match = this.ports?.length ? this.ports.flatMap((p) => [`-p tcp --dport ${p}`, `-p tcp --sport ${p}`]) : [""];
    for (const ip of peerIps) {
      for (const m of match) {
        if (this.direction !== "out") lines.push(`iptables -A ${c} -s ${ip} ${m} ${loss} -j DROP`.replace(/ +/g, " "));
        if (this.direction !== "in") lines.push(`iptables -A ${c} -d ${ip} ${m} ${loss} -j DROP`.replace(/ +/g, " "));
      }
    }
    lines.push(`iptables -C INPUT -j ${c} 2>/dev/null || iptables -I INPUT 1 -j ${c}`, `iptables -C OUTPUT -j ${c} 2>/dev/null || iptables -I OUTPUT 1 -j ${c}`);
    return lines.join("\n");
  }

  healScript(): string {
    return chainHealScript(this.chain);
  }

  async inject(ctx: FaultContext) {
    const peers = this.from ?? ctx.lab.nodes.map((n) => n.name).filter((n) => !this.targets.includes(n));
    const ips = peerIps(ctx, this.targets, peers);
    for (const node of this.targets) {
      await ctx.lab.exec(node, ["sh", "-ec", this.injectScript(ips)]);
      ctx.log(
        `${node}: ${Math.round(this.probability * 1000) / 10}% of packets (${this.direction}) with ${peers.join(", ")} dropped at random` +
          `${this.ports?.length ? ` on TCP port ${this.ports.join(", ")}` : ""}`,
      );
    }
  }

  async heal(ctx: FaultContext, target: string) {
    await ctx.lab.exec(target, ["sh", "-c", this.healScript()]);
  }

  manualHeal(_target: string, container: string) {
    return `docker exec ${container} sh -c '${this.healScript()}'`;
  }
}
