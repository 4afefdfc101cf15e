import { X509Certificate, createPrivateKey, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { makeLabTls } from "./tls.js";

describe("makeLabTls", () => {
  // RSA key generation is CPU work: under a loaded machine (two labs on 2 cores) it takes seconds.
  it("signs a certificate per node, valid for its name and the host's loopback, and a client certificate", { timeout: 60_000 }, async () => {
    const m = await makeLabTls("20261202-000000-abcdef", ["e1", "pg1"]);
    const ca = new X509Certificate(m.ca);
    expect(ca.ca).toBe(true);
    for (const n of ["e1", "pg1"]) {
      const c = new X509Certificate(m.nodes[n].cert);
      expect(c.verify(ca.publicKey)).toBe(true);
      expect(c.checkHost(n)).toBe(n);
      expect(c.checkHost("localhost")).toBe("localhost");
      expect(c.checkIP("127.0.0.1")).toBe("127.0.0.1");
      expect(c.checkHost(n === "e1" ? "pg1" : "e1")).toBeUndefined();
      expect(c.ca).toBe(false);
      // The key is the certificate's.
      expect(createPublicKey(createPrivateKey(m.nodes[n].key)).export({ format: "der", type: "spki" })).toEqual(c.publicKey.export({ format: "der", type: "spki" }));
    }
    const client = new X509Certificate(m.client.cert);
    expect(client.verify(ca.publicKey)).toBe(true);
    // No CommonName: etcd's gateway refuses one when authentication is on.
    expect(client.subject).not.toMatch(/CN=/);
    expect(client.keyUsage).toContain("1.3.6.1.5.5.7.3.2");
  });

  it("makes a new CA every run", { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([makeLabTls("r", []), makeLabTls("r", [])]);
    expect(new X509Certificate(a.client.cert).verify(new X509Certificate(b.ca).publicKey)).toBe(false);
  });
});
