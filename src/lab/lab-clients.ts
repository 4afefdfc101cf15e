import type { Lab } from "./lab-api.js";
import { PatroniRest } from "../clients/patroni-rest.js";
import { EtcdAuth, EtcdHttp } from "../clients/etcd-http.js";
import { openEtcd3 } from "../clients/etcd-grpc.js";
import type { TlsOptions } from "../clients/http.js";
import type { PgTarget } from "../clients/pg.js";
import { ETCD_CLIENT_PORT } from "./etcd-command.js";
import { PATRONI_REST_PORT, PG_PORT } from "./patroni-config.js";
import { ETCD_ROOT_USER } from "./etcd-auth.js";

/** Clients the harness uses to reach lab nodes through their mapped ports. */

const scheme = (lab: Lab) => (lab.tls ? "https" : "http");

/**
 * TLS towards one node (topology.security.tls): the run's CA, the harness's client certificate
 * (etcd asks for one), and the node's name, which its certificate carries, whatever address the
 * mapped port is reached at.
 */
export function labTlsOptions(lab: Lab, node: string): TlsOptions | undefined {
  return lab.tls && { ca: lab.tls.ca, cert: lab.tls.client.cert, key: lab.tls.client.key, servername: node };
}

/** One token cache per lab: etcd's simple tokens are per member and lapse, so they are kept and renewed. */
const etcdAuths = new WeakMap<Lab, EtcdAuth>();
function etcdAuth(lab: Lab): EtcdAuth | undefined {
  const pw = lab.secrets.etcdRootPassword;
  if (!pw) return undefined;
  let a = etcdAuths.get(lab);
  if (!a) etcdAuths.set(lab, (a = new EtcdAuth(ETCD_ROOT_USER, pw)));
  return a;
}

export function patroniRest(lab: Lab, node: string): PatroniRest {
  const { host, port } = lab.node(node).endpoint(PATRONI_REST_PORT);
  const pw = lab.secrets.restapiPassword;
  return new PatroniRest(`${scheme(lab)}://${host}:${port}`, pw ? { username: "pgchaos", password: pw } : undefined, labTlsOptions(lab, node));
}

export function etcdHttp(lab: Lab, node: string): EtcdHttp {
  const { host, port } = lab.node(node).endpoint(ETCD_CLIENT_PORT);
  return new EtcdHttp(`${scheme(lab)}://${host}:${port}`, { tls: labTlsOptions(lab, node), auth: etcdAuth(lab) });
}

/** etcd's gRPC API on one member (watches, the dcs action); see clients/etcd-grpc.ts. */
export function etcd3Client(lab: Lab, node: string, opts: { retries: boolean }) {
  const pw = lab.secrets.etcdRootPassword;
  return openEtcd3(lab.node(node).endpoint(ETCD_CLIENT_PORT), {
    ...opts,
    ...(lab.tls ? { tls: { ca: lab.tls.ca, cert: lab.tls.client.cert, key: lab.tls.client.key, servername: node } } : {}),
    ...(pw ? { auth: { username: ETCD_ROOT_USER, password: pw } } : {}),
  });
}

export function pgTarget(lab: Lab, node: string): PgTarget {
  const { host, port } = lab.node(node).endpoint(PG_PORT);
  return { host, port, password: lab.secrets.superuserPassword };
}

export const dcsPrefix = (lab: Lab) => `${lab.namespace}${lab.scope}/`;
