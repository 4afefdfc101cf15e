import type { Lab } from "./lab-api.js";
import { PatroniRest } from "../clients/patroni-rest.js";
import { EtcdHttp } from "../clients/etcd-http.js";
import { openEtcd3 } from "../clients/etcd-grpc.js";
import type { PgTarget } from "../clients/pg.js";
import { ETCD_CLIENT_PORT } from "./etcd-command.js";
import { PATRONI_REST_PORT, PG_PORT } from "./patroni-config.js";

/** Clients the harness uses to reach lab nodes through their mapped ports. */
export function patroniRest(lab: Lab, node: string): PatroniRest {
  const { host, port } = lab.node(node).endpoint(PATRONI_REST_PORT);
  const pw = lab.secrets.restapiPassword;
  return new PatroniRest(`http://${host}:${port}`, pw ? { username: "pgchaos", password: pw } : undefined);
}

export function etcdHttp(lab: Lab, node: string): EtcdHttp {
  const { host, port } = lab.node(node).endpoint(ETCD_CLIENT_PORT);
  return new EtcdHttp(`http://${host}:${port}`);
}

/** etcd's gRPC API on one member (watches, the dcs action); see clients/etcd-grpc.ts. */
export function etcd3Client(lab: Lab, node: string, opts: { retries: boolean }) {
  return openEtcd3(lab.node(node).endpoint(ETCD_CLIENT_PORT), opts);
}

export function pgTarget(lab: Lab, node: string): PgTarget {
  const { host, port } = lab.node(node).endpoint(PG_PORT);
  return { host, port, password: lab.secrets.superuserPassword };
}

export const dcsPrefix = (lab: Lab) => `${lab.namespace}${lab.scope}/`;
