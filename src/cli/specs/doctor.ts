import { defineCommand } from "../command.js";

export default defineCommand({
  name: "doctor",
  summary: "Read-only checks of a live Patroni cluster (no containers needed).",
  details:
    "Exit codes: 0 clean, 1 findings, 2 bad input or unreachable.\n" +
    "Secrets are never taken as flag values (process lists show them): passwords and tokens come from\n" +
    "PGCHAOS_ETCD_PASSWORD, PGCHAOS_ETCD_TOKEN, PGCHAOS_PATRONI_PASSWORD or the *-file flags.",
  options: {
    etcd: { type: "string", value: "URL[,URL...]", help: "etcd endpoints (http://host:2379)" },
    scope: { type: "string", value: "NAME", help: "Patroni scope (default: the only cluster under the namespace)" },
    namespace: { type: "string", value: "NS", help: "DCS namespace (default /service/)" },
    patroni: { type: "string", value: "URL[,URL...]", help: "extra Patroni REST APIs to examine (http://host:8008)" },
    "etcd-cacert": { type: "string", value: "FILE", help: "CA bundle (PEM) that signed etcd's certificates (like etcdctl --cacert)" },
    "etcd-cert": { type: "string", value: "FILE", help: "client certificate (PEM) for etcd's --client-cert-auth" },
    "etcd-key": { type: "string", value: "FILE", help: "its private key (PEM)" },
    "etcd-user": { type: "string", value: "NAME", help: "etcd user; password from $PGCHAOS_ETCD_PASSWORD or --etcd-password-file" },
    "etcd-password-file": { type: "string", value: "FILE", help: "file holding the etcd user's password" },
    "etcd-token-file": { type: "string", value: "FILE", help: "an etcd auth token instead of a user (or $PGCHAOS_ETCD_TOKEN)" },
    "patroni-cacert": { type: "string", value: "FILE", help: "CA bundle (PEM) of Patroni's REST API certificates (like ctl.cacert)" },
    "patroni-cert": { type: "string", value: "FILE", help: "client certificate (PEM) when restapi.verify_client asks for one" },
    "patroni-key": { type: "string", value: "FILE", help: "its private key (PEM)" },
    "patroni-user": { type: "string", value: "NAME", help: "REST API basic auth user; password from $PGCHAOS_PATRONI_PASSWORD or --patroni-password-file" },
    "patroni-password-file": { type: "string", value: "FILE", help: "file holding the REST API password" },
    resolve: { type: "string", value: "NAME:PORT=HOST:PORT|NAME=HOST", multiple: true, help: "reach an advertised address elsewhere" },
    lab: { type: "string", value: "RUN_ID", optionalValue: true, help: "a pgchaos lab (alone: the only one running)" },
    timeout: { type: "string", value: "D", help: "per request (default 2s)" },
    json: { type: "boolean", help: "print JSON instead of a table" },
    snapshot: { type: "boolean", help: "with --json: include every raw answer (for --replay)" },
    replay: { type: "string", value: "FILE", help: "run the checks on a saved snapshot instead of a live cluster" },
  },
  async run(v, _args, io) {
    const { doctorCommand } = await import("../commands/doctor.js");
    return doctorCommand({ ...v, access: accessFlags(v) }, io.out);
  },
});

/** The TLS and credential flags, as given (files are read by the command). */
function accessFlags(v: Record<string, unknown>) {
  const s = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : undefined);
  return {
    etcdCacert: s("etcd-cacert"),
    etcdCert: s("etcd-cert"),
    etcdKey: s("etcd-key"),
    etcdUser: s("etcd-user"),
    etcdPasswordFile: s("etcd-password-file"),
    etcdTokenFile: s("etcd-token-file"),
    patroniCacert: s("patroni-cacert"),
    patroniCert: s("patroni-cert"),
    patroniKey: s("patroni-key"),
    patroniUser: s("patroni-user"),
    patroniPasswordFile: s("patroni-password-file"),
  };
}
