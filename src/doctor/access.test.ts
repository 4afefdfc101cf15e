import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAccess } from "./access.js";
import { makeLabTls } from "../lab/tls.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

describe("doctor TLS and credential flags", () => {
  it("reads the CA, client certificate and key, and the password from a file or the environment", { timeout: 60_000 }, async () => {
    const dir = tmp("pgchaos-access-");
    const m = await makeLabTls("r", []);
    const f = (n: string, s: string) => writeFile(path.join(dir, n), s).then(() => path.join(dir, n));
    const [ca, cert, key, pw] = await Promise.all([f("ca.pem", m.ca), f("c.pem", m.client.cert), f("k.pem", m.client.key), f("pw", "s3cret\n")]);
    const a = await resolveAccess({ etcdCacert: ca, etcdCert: cert, etcdKey: key, etcdUser: "root", etcdPasswordFile: pw, patroniCacert: ca, patroniUser: "admin" }, { PGCHAOS_PATRONI_PASSWORD: "p" });
    expect(a.etcdAccess).toEqual({ tls: { ca: m.ca, cert: m.client.cert, key: m.client.key }, auth: { username: "root", password: "s3cret" } });
    expect(a.patroniAccess).toEqual({ tls: { ca: m.ca, cert: undefined, key: undefined }, headers: { authorization: `Basic ${Buffer.from("admin:p").toString("base64")}` } });
    expect(await resolveAccess({ etcdUser: "root" }, { PGCHAOS_ETCD_PASSWORD: "e" })).toEqual({ etcdAccess: { auth: { username: "root", password: "e" } } });
    expect(await resolveAccess({}, { PGCHAOS_ETCD_TOKEN: "tok" })).toEqual({ etcdAccess: { auth: { token: "tok" } } });
    expect(await resolveAccess({}, {})).toEqual({});
    // Bad input: one clear line each.
    await expect(resolveAccess({ etcdCacert: path.join(dir, "nope.pem") })).rejects.toThrow(/^--etcd-cacert .*nope\.pem: ENOENT/);
    await expect(resolveAccess({ etcdCacert: pw })).rejects.toThrow(/not a PEM certificate/);
    await expect(resolveAccess({ etcdCert: cert, etcdKey: ca })).rejects.toThrow(/--etcd-key .*not an unencrypted PEM private key/);
    await expect(resolveAccess({ etcdCert: cert })).rejects.toThrow(/--etcd-cert and --etcd-key together/);
    await expect(resolveAccess({ etcdUser: "root" }, {})).rejects.toThrow(/PGCHAOS_ETCD_PASSWORD/);
    await expect(resolveAccess({ etcdUser: "root:pw" }, {})).rejects.toThrow(/user name only/);
    await expect(resolveAccess({ patroniUser: "admin" }, {})).rejects.toThrow(/PGCHAOS_PATRONI_PASSWORD/);
  });
});
