import { readFileSync } from "node:fs";
import os from "node:os";
import type Dockerode from "dockerode";

/**
 * Whether this machine routes to the lab network itself: the engine runs here (not in a VM or on
 * another host) and the bridge's gateway address is one of this machine's own. Then the harness
 * reaches each container at its address on that network, and no port needs publishing: every
 * published port is a docker-proxy process that copies each byte through user space (0.015 core
 * of a recorded lab, measured 2026-12-06) and is started with the container.
 */
export function routedHere(gateway: string | undefined): boolean {
  if (!gateway) return false;
  if (Object.values(os.networkInterfaces()).some((addrs) => addrs?.some((a) => a.address === gateway))) return true;
  // A new bridge has no carrier until a container joins it, and os.networkInterfaces() lists only
  // running interfaces; the kernel's local routes list the address whatever the link's state.
  try {
    const fib = readFileSync("/proc/net/fib_trie", "utf8").split("\n");
    return fib.some((line, i) => line.trim() === `|-- ${gateway}` && /\/32 host LOCAL/.test(fib[i + 1] ?? ""));
  } catch {
    return false;
  }
}

/** Whether this machine routes to a Docker network (routedHere of its gateway); false when it cannot be inspected. */
export async function networkRoutedHere(network: Dockerode.Network): Promise<boolean> {
  const info = (await network.inspect().catch(() => undefined)) as { IPAM?: { Config?: { Gateway?: string }[] } } | undefined;
  return routedHere(info?.IPAM?.Config?.[0]?.Gateway);
}
