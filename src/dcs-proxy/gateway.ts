import os from "node:os";
import type Dockerode from "dockerode";
import { UserFacingError } from "../util/errors.js";

/**
 * The host side of a Docker bridge network: its gateway address (from the network's IPAM
 * config). Containers on the network reach the host there, so the in-process DCS proxy listens
 * on it. Only works when the engine runs on this machine: with a remote DOCKER_HOST the gateway
 * is an address of the remote host, and pgchaos says so instead of starting a proxy nobody can
 * reach.
 */
export async function labGateway(docker: Dockerode, network: string): Promise<string> {
  const info = (await docker.getNetwork(network).inspect()) as { IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] } };
  const gw = (info.IPAM?.Config ?? []).map((c) => c.Gateway).find((g): g is string => !!g && !g.includes(":"));
  if (!gw) throw new UserFacingError(`topology.dcs_proxy: network ${network} has no IPv4 gateway in its IPAM config; the DCS proxy cannot listen where containers reach the host`);
  if (!isLocalAddress(gw)) {
    const where = process.env.DOCKER_HOST ? `the Docker engine at DOCKER_HOST=${process.env.DOCKER_HOST}` : "the Docker engine";
    throw new UserFacingError(
      `topology.dcs_proxy: the DCS fault proxy runs inside pgchaos and listens on the lab network's gateway ${gw}, ` +
        `but ${gw} is not an address of this machine: ${where} is remote. Run pgchaos on the Docker host itself, ` +
        `or drop topology.dcs_proxy and the proxy faults (watch-stall, dcs-latency, dcs-error).`,
    );
  }
  return gw;
}

export function isLocalAddress(ip: string): boolean {
  return Object.values(os.networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === ip));
}
