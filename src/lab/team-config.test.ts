import { describe, expect, it } from "vitest";
import { patroniConfig, teamConfigOverrides } from "./patroni-config.js";
import { clusterSpec } from "./topology.js";
import { mergeTeamConfig } from "./team-config.js";
import { parsePatroniConfig } from "./team-config-file.js";

const secrets = { superuserPassword: "su", replicationPassword: "rep", restapiPassword: "api" };

describe("a team's own patroni.yml", () => {
  const team = parsePatroniConfig(
    `scope: prod-main
name: db-01
restapi:
  listen: 0.0.0.0:8443
  connect_address: db-01.prod:8443
etcd3:
  hosts: [etcd-a:2379]
bootstrap:
  dcs:
    ttl: 30
    postgresql:
      parameters: { max_connections: 300 }
postgresql:
  data_dir: /srv/pg
  bin_dir: /usr/pgsql-16/bin
  parameters:
    shared_buffers: 256MB
    unix_socket_directories: /tmp
tags: { nofailover: true }
`,
    "team.yml",
  );
  const spec = clusterSpec({ pgBinDir: "/usr/lib/postgresql/17/bin", teamPatroniConfig: team, dcs: { ttl: 10 } });

  it("merges the team's settings but keeps names, addresses, DCS, data and bin paths and the scenario's timings", () => {
    const c = patroniConfig(spec, "pgchaos-x", "pg2", secrets) as any;
    expect(c.scope).toBe("pgchaos-x");
    expect(c.name).toBe("pg2");
    expect(c.restapi.listen).toBe("0.0.0.0:8008");
    expect(c.restapi.connect_address).toBe("pg2:8008");
    expect(c.etcd3.hosts).toEqual(["e1:2379", "e2:2379", "e3:2379"]);
    expect(c.bootstrap.dcs.ttl).toBe(10);
    expect(c.postgresql.data_dir).toBe("/var/lib/postgresql/data");
    expect(c.postgresql.bin_dir).toBe("/usr/lib/postgresql/17/bin");
    expect(c.postgresql.parameters).toEqual({ shared_buffers: "256MB", unix_socket_directories: "/var/run/postgresql" });
    // The team's own settings are there.
    expect(c.bootstrap.dcs.postgresql.parameters.max_connections).toBe(300);
    expect(c.bootstrap.dcs.postgresql.parameters.wal_level).toBe("replica");
    expect(c.tags.nofailover).toBe(true);
  });

  it("says which kept keys the team's file set, and why", () => {
    expect(teamConfigOverrides(spec, secrets).map((o) => o.path)).toEqual([
      "scope",
      "name",
      "restapi.listen",
      "restapi.connect_address",
      "etcd3",
      "bootstrap.dcs.ttl",
      "postgresql.data_dir",
      "postgresql.bin_dir",
      "postgresql.parameters.unix_socket_directories",
    ]);
    expect(teamConfigOverrides(clusterSpec({ pgBinDir: "/b" }), secrets)).toEqual([]);
  });

  it("a kept key the team set to pgchaos's own value is not reported; a foreign DCS section is removed", () => {
    const { config, overridden } = mergeTeamConfig({ scope: "s", etcd3: { hosts: ["e1:2379"] } }, { scope: "s", consul: { host: "c:8500" } });
    expect(overridden.map((o) => o.path)).toEqual(["consul"]);
    expect(config).toEqual({ scope: "s", etcd3: { hosts: ["e1:2379"] } });
  });

  it("a file that is not a mapping, or not YAML, is a clear error with its position", () => {
    expect(() => parsePatroniConfig("- a\n- b\n", "t.yml")).toThrow("t.yml:1:1: a patroni.yml is a mapping of Patroni settings (scope:, postgresql:, ...), got a list");
    expect(() => parsePatroniConfig("scope: a\n  bad: [\n", "t.yml")).toThrow(/^t\.yml:1:8: YAML syntax error: Nested mappings are not allowed in compact mappings; a patroni.yml is a YAML mapping$/);
  });
});
