import { describe, expect, it } from "vitest";
import { factLabels, factsFromLabels, parseFacts } from "./facts.js";

describe("image facts", () => {
  it("parses the probe's lines: bin directory, versions, what is missing", () => {
    const f = parseFacts(
      [
        "pg_bin_dir=/usr/lib/postgresql/17/bin",
        "postgres_version=17.12 (Debian 17.12-0+deb13u1)",
        "patroni_version=4.0.7",
        "etcd_version=3.5.16",
        "haproxy_version=",
        "missing=command dig on PATH",
        "",
      ].join("\n"),
    );
    expect(f).toEqual({
      pgBinDir: "/usr/lib/postgresql/17/bin",
      versions: { postgresql: "17.12 (Debian 17.12-0+deb13u1)", patroni: "4.0.7", etcd: "3.5.16" },
      missing: ["command dig on PATH"],
    });
  });

  it("an image without PostgreSQL misses a bin directory first", () => {
    const f = parseFacts("pg_bin_dir=\npatroni_version=\netcd_version=\nmissing=command patroni on PATH\n");
    expect(f.missing).toEqual(["a PostgreSQL bin directory (pg_config --bindir, or /usr/lib/postgresql/N/bin)", "command patroni on PATH"]);
  });

  it("round-trips through image labels; labels missing a fact are not trusted", () => {
    const f = parseFacts("pg_bin_dir=/b\npostgres_version=15.14\npatroni_version=3.0.2\netcd_version=3.4.23\nhaproxy_version=2.6.12\n");
    expect(factsFromLabels(factLabels(f))).toEqual(f);
    const partial = factLabels(f);
    delete partial["pgchaos.version.etcd"];
    expect(factsFromLabels(partial)).toBeUndefined();
    expect(factsFromLabels(null)).toBeUndefined();
  });
});
