import { readFile } from "node:fs/promises";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { errorText } from "../util/errors.js";
import type { DoctorTarget } from "./gather.js";

/** The doctor's TLS and credential flags (`pgchaos doctor --help`). */
export interface AccessFlags {
  etcdCacert?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdUser?: string;
  etcdPasswordFile?: string;
  etcdTokenFile?: string;
  patroniCacert?: string;
  patroniCert?: string;
  patroniKey?: string;
  patroniUser?: string;
  patroniPasswordFile?: string;
}

/** Bad input: the CLI prints the message on one line and exits 2. */
export class AccessError extends Error {}

async function readText(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new AccessError(`${flag} ${file}: ${errorText(e).replace(/^Error: /, "")}`);
  }
}

async function pemCert(flag: string, file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const text = await readText(flag, file);
  try {
    new X509Certificate(text);
  } catch {
    throw new AccessError(`${flag} ${file}: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
  }
  return text;
}

async function pemKey(flag: string, file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const text = await readText(flag, file);
  try {
    createPrivateKey(text);
  } catch {
    throw new AccessError(`${flag} ${file}: not an unencrypted PEM private key`);
  }
  return text;
}

/** A secret from a file (trailing newline dropped) or else from the environment. */
async function secret(fileFlag: string, file: string | undefined, envName: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (file !== undefined) {
    const v = (await readText(fileFlag, file)).replace(/\r?\n$/, "");
    if (!v) throw new AccessError(`${fileFlag} ${file}: the file is empty`);
    return v;
  }
  return env[envName] || undefined;
}

/** Reads and checks the files the flags name; what gather() needs to reach a cluster with TLS and authentication. */
export async function resolveAccess(f: AccessFlags, env: NodeJS.ProcessEnv = process.env): Promise<Pick<DoctorTarget, "etcdAccess" | "patroniAccess">> {
  if ((f.etcdCert === undefined) !== (f.etcdKey === undefined)) throw new AccessError("give --etcd-cert and --etcd-key together");
  if ((f.patroniCert === undefined) !== (f.patroniKey === undefined)) throw new AccessError("give --patroni-cert and --patroni-key together");
  for (const [flag, user] of [["--etcd-user", f.etcdUser], ["--patroni-user", f.patroniUser]] as const) {
    if (user?.includes(":")) throw new AccessError(`${flag}: give the user name only; the password comes from the environment or a file (see --help), never a flag`);
  }
  const etcdTls = { ca: await pemCert("--etcd-cacert", f.etcdCacert), cert: await pemCert("--etcd-cert", f.etcdCert), key: await pemKey("--etcd-key", f.etcdKey) };
  const patroniTls = { ca: await pemCert("--patroni-cacert", f.patroniCacert), cert: await pemCert("--patroni-cert", f.patroniCert), key: await pemKey("--patroni-key", f.patroniKey) };
  const out: Pick<DoctorTarget, "etcdAccess" | "patroniAccess"> = {};
  const defined = <T extends object>(o: T) => Object.values(o).some((v) => v !== undefined);

  let etcdAuth: NonNullable<DoctorTarget["etcdAccess"]>["auth"];
  const token = await secret("--etcd-token-file", f.etcdTokenFile, "PGCHAOS_ETCD_TOKEN", f.etcdUser ? {} : env);
  if (f.etcdUser) {
    const password = await secret("--etcd-password-file", f.etcdPasswordFile, "PGCHAOS_ETCD_PASSWORD", env);
    if (!password) throw new AccessError("--etcd-user needs a password: set PGCHAOS_ETCD_PASSWORD or give --etcd-password-file");
    etcdAuth = { username: f.etcdUser, password };
  } else if (token) {
    etcdAuth = { token };
  } else if (f.etcdPasswordFile) {
    throw new AccessError("--etcd-password-file needs --etcd-user");
  }
  if (defined(etcdTls) || etcdAuth) out.etcdAccess = { ...(defined(etcdTls) ? { tls: etcdTls } : {}), ...(etcdAuth ? { auth: etcdAuth } : {}) };

  let headers: Record<string, string> | undefined;
  if (f.patroniUser) {
    const password = await secret("--patroni-password-file", f.patroniPasswordFile, "PGCHAOS_PATRONI_PASSWORD", env);
    if (!password) throw new AccessError("--patroni-user needs a password: set PGCHAOS_PATRONI_PASSWORD or give --patroni-password-file");
    headers = { authorization: `Basic ${Buffer.from(`${f.patroniUser}:${password}`).toString("base64")}` };
  } else if (f.patroniPasswordFile) {
    throw new AccessError("--patroni-password-file needs --patroni-user");
  }
  if (defined(patroniTls) || headers) out.patroniAccess = { ...(defined(patroniTls) ? { tls: patroniTls } : {}), ...(headers ? { headers } : {}) };
  return out;
}
