import type { Fault, FaultContext } from "../fault.js";
import { ETCD_PEER_PORT } from "../../lab/etcd-command.js";

/** Where the broken resolver points: TEST-NET-1 (RFC 5737), never a real server. */
export const BROKEN_NAMESERVER = "192.0.2.53";
/** Docker's embedded DNS server inside every container on a user-defined network. */
const DOCKER_DNS = "127.0.0.11";
const SAVED = "/run/pgchaos/dns-break";

/**
 * Incident 2: one etcd member's name resolution breaks and it loses its peers, yet it keeps
 * accepting client connections on 2379. Changing the resolver alone does nothing (the raft
 * connections already open survive), so the fault does both, inside the member's container
 * (NET_ADMIN only):
 *
 * - name resolution fails: /etc/resolv.conf points at an address that is no DNS server
 *   (queries to it, and to Docker's embedded DNS 127.0.0.11, are rejected at once), and
 *   /etc/hosts keeps no line naming a peer. Originals are saved under /run/pgchaos.
 * - peer traffic on 2380 is rejected in both directions with a TCP reset: the member's own
 *   connections to its peers and theirs to it. (Rejecting only outgoing traffic lets the
 *   isolated member, campaigning with ever higher terms, disrupt the healthy leader.)
 * - the peer connections already open are destroyed (`ss -K`, NET_ADMIN). The rules alone do
 *   not end them: a stream the member dialed to a follower that has nothing to send stays
 *   established, and the next message on it would still be delivered before the member's
 *   acknowledgement is rejected. Resets are let through so both ends learn at once.
 *
 * Client traffic (2379) is untouched: linearizable reads through the member time out
 * (`etcdserver: request timed out`), puts answer `context deadline exceeded`, lease
 * keepalives `no leader`; serializable reads answer at once with stale data.
 *
 * Heal restores both files and removes the rules. With pre-vote off (etcd 3.4's default) the
 * member's higher term then forces an election. All iptables rules live in one chain, so heal
 * is a flush and delete; heal is idempotent and works after a partial inject.
 */
export class EtcdDnsBreak implements Fault {
  readonly type = "etcd-dns-break";
  private readonly chain: string;

  constructor(
    readonly targets: string[],
    id = "dns",
  ) {
    this.chain = `PGCHAOS-DNS-${id.replace(/[^A-Za-z0-9]/g, "").slice(0, 16).toUpperCase()}`;
  }

  /** Shell for one member: save, break resolution, reject peer traffic. */
  injectScript(member: string, peers: string[]): string {
    const c = this.chain;
    const peerRe = peers.map((p) => p.replace(/[^A-Za-z0-9_-]/g, "")).join("|");
    return [
      "set -e",
      `mkdir -p ${SAVED}`,
      // Save the originals once (a second inject must not save the broken copies).
      `[ -e ${SAVED}/resolv.conf ] || cat /etc/resolv.conf > ${SAVED}/resolv.conf`,
      `[ -e ${SAVED}/hosts ] || cat /etc/hosts > ${SAVED}/hosts`,
      // Both files are bind mounts: rewrite them in place, never replace them.
      `printf 'nameserver ${BROKEN_NAMESERVER}\\noptions timeout:1 attempts:1\\n' > /etc/resolv.conf`,
      peerRe ? `grep -vwE '${peerRe}' ${SAVED}/hosts > ${SAVED}/hosts.broken || true; cat ${SAVED}/hosts.broken > /etc/hosts` : ":",
      `iptables -N ${c} 2>/dev/null || iptables -F ${c}`,
      `iptables -A ${c} -d ${BROKEN_NAMESERVER} -j REJECT`,
      `iptables -A ${c} -d ${DOCKER_DNS} -j REJECT`,
      // Matching the destination port in both chains covers both directions: the member's own
      // connections to its peers (OUTPUT) and theirs to it (INPUT). (Matching the source port
      // too would also swallow the resets that tear those connections down.)
      `iptables -A ${c} -p tcp --dport ${ETCD_PEER_PORT} --tcp-flags RST RST -j ACCEPT`,
      `iptables -A ${c} -p tcp --dport ${ETCD_PEER_PORT} -j REJECT --reject-with tcp-reset`,
      `iptables -C INPUT -j ${c} 2>/dev/null || iptables -I INPUT 1 -j ${c}`,
      `iptables -C OUTPUT -j ${c} 2>/dev/null || iptables -I OUTPUT 1 -j ${c}`,
      // No new peer connection can open now; end the open ones (both directions).
      `ss -K -tnH state established '( dport = :${ETCD_PEER_PORT} or sport = :${ETCD_PEER_PORT} )' >/dev/null`,
      `open=$(ss -tnH state established '( dport = :${ETCD_PEER_PORT} or sport = :${ETCD_PEER_PORT} )' | wc -l)`,
      `if [ "$open" != 0 ]; then echo "${member} still has $open peer connections on ${ETCD_PEER_PORT}" >&2; exit 3; fi`,
      // The member itself must no longer resolve its peers.
      ...peers.map((p) => `if getent hosts ${p} >/dev/null 2>&1; then echo "${member} still resolves ${p}" >&2; exit 3; fi`),
    ].join("\n");
  }

  healScript(): string {
    const c = this.chain;
    return [
      `while iptables -D INPUT -j ${c} 2>/dev/null; do :; done`,
      `while iptables -D OUTPUT -j ${c} 2>/dev/null; do :; done`,
      `iptables -F ${c} 2>/dev/null; iptables -X ${c} 2>/dev/null`,
      `if [ -e ${SAVED}/resolv.conf ]; then cat ${SAVED}/resolv.conf > /etc/resolv.conf && rm -f ${SAVED}/resolv.conf; fi`,
      `if [ -e ${SAVED}/hosts ]; then cat ${SAVED}/hosts > /etc/hosts && rm -f ${SAVED}/hosts ${SAVED}/hosts.broken; fi`,
      "true",
    ].join("\n");
  }

  async inject(ctx: FaultContext) {
    const etcd = ctx.lab.etcdNodes().map((n) => n.name);
    for (const member of this.targets) {
      const peers = etcd.filter((n) => n !== member);
      await ctx.lab.exec(member, ["sh", "-c", this.injectScript(member, peers)]);
      ctx.log(`${member}: name resolution broken (resolv.conf -> ${BROKEN_NAMESERVER}), peer traffic on ${ETCD_PEER_PORT} rejected both ways`);
    }
  }

  async heal(ctx: FaultContext, member: string) {
    await ctx.lab.exec(member, ["sh", "-c", this.healScript()]);
  }

  manualHeal(_target: string, container: string) {
    return `docker exec ${container} sh -c '${this.healScript().replace(/\n/g, "; ")}'`;
  }
}
