import { Etcd3, type IOptions } from "etcd3";
import { ConstantBackoff, noop } from "cockatiel";

/**
 * etcd's native gRPC API through the etcd3 package, for what the JSON gateway does badly:
 * watches (a server-pushed stream of every change with its revision) and the `dcs` action's
 * writes. Raw HTTP stays where it is needed (clients/etcd-http.ts for probes and the poll,
 * which must answer or fail within one short timeout, never retry; dcs-proxy, which must speak
 * Patroni's own JSON-gateway protocol).
 *
 * `retries: false` turns off the package's retry and circuit-breaker policies: a write the
 * harness makes (deleting the leader key) must happen at most once, and its failure is data.
 */
export function openEtcd3(
  endpoint: { host: string; port: number },
  opts: {
    retries: boolean;
    dialTimeoutMs?: number;
    /** The deadline of each call that is not a stream (default 5 s). */
    callTimeoutMs?: number;
    /** TLS (topology.security.tls): the CA, the client certificate, and the name the member's certificate carries. */
    tls?: { ca: string; cert?: string; key?: string; servername: string };
    /** etcd authentication (topology.security.auth); the package renews its token itself. */
    auth?: { username: string; password: string };
  },
): Etcd3 {
  const { tls } = opts;
  const options: IOptions = {
    hosts: `${tls ? "https" : "http"}://${endpoint.host}:${endpoint.port}`,
    ...(tls
      ? {
          credentials: {
            rootCertificate: Buffer.from(tls.ca),
            ...(tls.cert && tls.key ? { certChain: Buffer.from(tls.cert), privateKey: Buffer.from(tls.key) } : {}),
          },
          // The member is reached at a mapped port of the Docker host; its certificate names it.
          grpcOptions: { "grpc.ssl_target_name_override": tls.servername, "grpc.default_authority": tls.servername },
        }
      : {}),
    ...(opts.auth ? { auth: { username: opts.auth.username, password: opts.auth.password } } : {}),
    dialTimeout: opts.dialTimeoutMs ?? 3000,
    // Every call but a stream ends within a deadline: a member whose process is frozen
    // (etcd-pause) accepts the connection in the kernel and never answers, and a dcs action held
    // up that way hung an exploration's run for 50 minutes (sid, 2026-12-06). The action then
    // tries the next member. A watch is a stream and lives as long as the run.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + (opts.callTimeoutMs ?? 5000) }),
    // A watch whose member went away comes back within half a second of its return, and
    // replays every change it missed from its last revision.
    faultHandling: { watchBackoff: new ConstantBackoff(500).next(), ...(opts.retries ? {} : { host: () => noop, global: noop }) },
  };
  return new Etcd3(options);
}
