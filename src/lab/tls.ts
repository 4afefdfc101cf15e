import { generateKeyPair, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { promisify } from "node:util";
import forge from "node-forge";

/**
 * A run's own certificate authority and the certificates signed by it (topology.security.tls):
 * one per node, valid as server and as client (etcd members and Patroni nodes are both), and
 * one for the harness's clients. Made in memory, so no openssl is needed on the host and no key
 * file is written outside the containers; the CA's private key is dropped once they are signed.
 *
 * Keys are RSA 2048 from Node's native crypto (fast); node-forge (pure JavaScript, no
 * polyfills, unlike @peculiar/x509 which needs reflect-metadata) builds and signs the
 * certificates, which Node's crypto cannot.
 */
export interface PemPair {
  cert: string;
  key: string;
}

export interface LabTlsMaterial {
  /** PEM of the run's CA certificate: what every client trusts. */
  ca: string;
  /**
   * The client certificate of the harness and of Patroni's etcd client: no CommonName, as etcd's
   * JSON gateway refuses (HTTP 400) a client certificate with one once authentication is on
   * (embed/serve.go: a CN-derived identity cannot cross the gateway); the user comes from the
   * token. Subject O=pgchaos.
   */
  client: PemPair;
  /** Per node: a certificate whose SANs are nodeSubjectNames. */
  nodes: Record<string, PemPair>;
}

const rsaKeys = promisify(generateKeyPair);

async function newKeys(): Promise<{ pem: string; forgeKeys: { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } }> {
  const { privateKey } = await rsaKeys("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const priv = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { pem: privateKey, forgeKeys: { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e) } };
}

/**
 * The names a node's certificate is valid for: its own and the ones the harness reaches its
 * mapped ports by (the engine's host). The etcd3 package's authentication channel ignores
 * grpc.ssl_target_name_override, so the engine's host must be in the certificate itself.
 */
export function nodeSubjectNames(node: string, engineHost?: string): string[] {
  return [...new Set([node, "localhost", "127.0.0.1", "::1", ...(engineHost ? [engineHost] : [])])];
}

function newCert(publicKey: forge.pki.PublicKey, subjectCn: string | undefined, validDays: number): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = publicKey;
  // Positive (leading byte below 0x80), 16 random bytes: unique per certificate.
  c.serialNumber = "01" + randomBytes(15).toString("hex");
  c.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  c.validity.notAfter = new Date(Date.now() + validDays * 86_400_000);
  c.setSubject(subjectCn ? [{ name: "commonName", value: subjectCn }] : [{ name: "organizationName", value: "pgchaos" }]);
  return c;
}

export async function makeLabTls(runId: string, nodes: readonly string[], opts: { engineHost?: string; validDays?: number } = {}): Promise<LabTlsMaterial> {
  const validDays = opts.validDays ?? 7;
  const caKeys = await newKeys();
  const ca = newCert(caKeys.forgeKeys.publicKey, `pgchaos lab CA ${runId}`, validDays);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.forgeKeys.privateKey, forge.md.sha256.create());
  const issue = async (cn: string | undefined, names: string[], usage: { serverAuth?: boolean; clientAuth?: boolean }): Promise<PemPair> => {
    const keys = await newKeys();
    const c = newCert(keys.forgeKeys.publicKey, cn, validDays);
    c.setIssuer(ca.subject.attributes);
    c.setExtensions([
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", ...usage },
      ...(names.length ? [{ name: "subjectAltName", altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) }] : []),
      { name: "authorityKeyIdentifier", keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
    ]);
    c.sign(caKeys.forgeKeys.privateKey, forge.md.sha256.create());
    return { cert: forge.pki.certificateToPem(c), key: keys.pem };
  };
  const client = issue(undefined, [], { clientAuth: true });
  const out: LabTlsMaterial = {
    ca: forge.pki.certificateToPem(ca),
    client: await client,
    nodes: {},
  };
  const signed = await Promise.all(nodes.map((n) => issue(n, nodeSubjectNames(n, opts.engineHost), { serverAuth: true, clientAuth: true })));
  nodes.forEach((n, i) => (out.nodes[n] = signed[i]));
  return out;
}

/** Where a node's TLS files are in its container (topology.security.tls). */
export const TLS_DIR = "/etc/pgchaos/tls";
export const TLS_CA_PATH = `${TLS_DIR}/ca.pem`;
export const TLS_CERT_PATH = `${TLS_DIR}/node.pem`;
export const TLS_KEY_PATH = `${TLS_DIR}/node-key.pem`;
/** The client certificate without a CommonName (see LabTlsMaterial.client): Patroni's etcd client uses it. */
export const TLS_CLIENT_CERT_PATH = `${TLS_DIR}/client.pem`;
export const TLS_CLIENT_KEY_PATH = `${TLS_DIR}/client-key.pem`;
