import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { apiUrlFor, restapiAddressOf, withConnectAddress } from "./connect-address.js";

const config = stringify({
  scope: "s",
  name: "pg1",
  restapi: { listen: "0.0.0.0:8008", connect_address: "pg1:8008", authentication: { username: "u", password: "p" } },
  postgresql: { connect_address: "pg1:5432" },
});

describe("connect-address: patching patroni.yml", () => {
  it("changes restapi.connect_address only", () => {
    const out = withConnectAddress(config, "pg2:8008");
    const before = parse(config);
    const after = parse(out);
    expect(after.restapi.connect_address).toBe("pg2:8008");
    expect({ ...after, restapi: { ...after.restapi, connect_address: "pg1:8008" } }).toEqual(before);
    expect(restapiAddressOf(out)).toBe("pg2:8008");
    expect(restapiAddressOf(config)).toBe("pg1:8008");
  });

  it("adds the key when the file has none, and refuses a file that does not parse", () => {
    expect(restapiAddressOf(withConnectAddress("restapi:\n  listen: 0.0.0.0:8008\n", "pg3:8008"))).toBe("pg3:8008");
    expect(() => withConnectAddress("a: [", "pg2:8008")).toThrow(/does not parse/);
  });

  it("the api_url Patroni publishes for an address", () => {
    expect(apiUrlFor("pg2:8008")).toBe("http://pg2:8008/patroni");
  });
});
