import Dockerode from "dockerode";
import type { Lab } from "../lab/lab-api.js";
import { ETCD_CLIENT_PORT } from "../lab/etcd-command.js";
import { LABEL_KIND, LABEL_NODE, LABEL_RUN } from "../lab/labels.js";
import type { AddressMap } from "./resolve.js";
import { engineHost } from "../engine/discover.js";
import { DoctorInputError, type DoctorTarget } from "./gather.js";
import { ETCD_ROOT_USER } from "../lab/etcd-auth.js";
import { routedHere } from "../lab/routes.js";
import { naturalCompare } from "../util/natural-order.js";

interface LabHost {
  name: string;
  kind: string;
  ip: string;
  /** container port -> host:port the harness reaches it at. */
  ports: Map<number, { host: string; port: number }>;
}

/** Routes lab hostnames (pg1:8008, e1:2379 ...) to their mapped ports; knows their lab IPs. */
export function labAddressMap(hosts: readonly LabHost[]): AddressMap {
  const byName = new Map(hosts.map((h) => [h.name.toLowerCase(), h]));
  return {
    route(host, port) {
      const to = byName.get(host.toLowerCase())?.ports.get(port);
      return to ? { ...to, mapped: true } : { host, port, mapped: false };
    },
    addressOf: (host) => byName.get(host.toLowerCase())?.ip || undefined,
  };
}

function target(hosts: LabHost[], scope: string, namespace: string, https = false): DoctorTarget {
  return {
    etcd: hosts
      .filter((h) => h.kind === "etcd")
      .map((h) => h.name)
      .sort(naturalCompare)
      .map((n) => `${https ? "https" : "http"}://${n}:${ETCD_CLIENT_PORT}`),
    scope,
    namespace,
    map: labAddressMap(hosts),
  };
}

/** The doctor's view of a running lab (the `doctor` action): names as the cluster advertises them, reached through mapped ports. */
export function labTarget(lab: Lab): DoctorTarget {
  const hosts: LabHost[] = lab.nodes.map((n) => {
    const ports = new Map<number, { host: string; port: number }>();
    for (const p of [ETCD_CLIENT_PORT, 8008, 5432]) {
      try {
        ports.set(p, n.endpoint(p));
      } catch {
        /* not mapped on this node */
      }
    }
    return { name: n.name, kind: n.kind, ip: n.ip, ports };
  });
  const t = target(hosts, lab.scope, lab.namespace, !!lab.tls);
  // topology.security: the lab's CA and the harness's client certificate, etcd's root user.
  const tls = lab.tls && { ca: lab.tls.ca, cert: lab.tls.client.cert, key: lab.tls.client.key };
  const pw = lab.secrets.etcdRootPassword;
  if (tls || pw) t.etcdAccess = { ...(tls ? { tls } : {}), ...(pw ? { auth: { username: ETCD_ROOT_USER, password: pw } } : {}) };
  if (tls) t.patroniAccess = { tls: { ca: tls.ca } };
  return t;
}

/**
 * The doctor's view of a lab started by another pgchaos process (`pgchaos up`, a run), found by
 * its containers' labels: `runId`, or the only lab running.
 */
export async function labTargetFromDocker(runId: string | undefined, docker = new Dockerode()): Promise<DoctorTarget> {
  const containers = await docker.listContainers({ filters: JSON.stringify({ label: [runId ? `${LABEL_RUN}=${runId}` : LABEL_RUN] }) });
  const runs = [...new Set(containers.map((c) => c.Labels[LABEL_RUN]))];
  if (!runs.length) throw new DoctorInputError(runId ? `no running lab ${runId}` : "no pgchaos lab is running (start one with pgchaos up)");
  if (runs.length > 1) throw new DoctorInputError(`several labs are running (${runs.join(", ")}); name one with --lab RUN_ID`);
  const run = runs[0];
  const hosts: LabHost[] = [];
  let https = false;
  for (const c of containers) {
    // Only the lab's nodes: the run's reaper carries the run label but is not a node.
    if (!c.Labels[LABEL_NODE]) continue;
    const info = await docker.getContainer(c.Id).inspect();
    // A lab with topology.security.tls: its etcd members listen on https (the CA and
    // credentials are not in the labels: give them with the --etcd-*/--patroni-* flags).
    if ((info.Config.Cmd ?? []).some((a) => a.startsWith("--listen-client-urls=https:"))) https = true;
    const nets = info.NetworkSettings.Networks ?? {};
    const net = nets[`pgchaos-${c.Labels[LABEL_RUN]}`] ?? Object.values(nets)[0];
    const ports = new Map<number, { host: string; port: number }>();
    for (const [k, v] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      const b = (v as { HostIp: string; HostPort: string }[] | null)?.find((x) => x.HostIp === "0.0.0.0") ?? (v as { HostIp: string; HostPort: string }[] | null)?.[0];
      const port = Number(k.split("/")[0]);
      if (b) ports.set(port, { host: dockerHost(), port: Number(b.HostPort) });
      // A run's lab publishes no port when this machine routes to its network (docker-lab.ts):
      // its services are reached at the container's own address.
      else if (net?.IPAddress && routedHere(net.Gateway)) ports.set(port, { host: net.IPAddress, port });
    }
    hosts.push({ name: c.Labels[LABEL_NODE], kind: c.Labels[LABEL_KIND], ip: net?.IPAddress ?? "", ports });
  }
  return target(hosts, `pgchaos-${run}`, "/service/", https);
}

/** Where mapped ports listen: the Docker host (localhost for a local engine), as testcontainers decides it. */
function dockerHost(): string {
  return engineHost({ source: "DOCKER_HOST", uri: process.env.DOCKER_HOST || "unix:///var/run/docker.sock" }, process.env);
}
