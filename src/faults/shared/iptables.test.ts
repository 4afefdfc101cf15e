import { describe, expect, test } from "vitest";
import type { FaultContext } from "../fault.js";
import { peerIps } from "./iptables.js";

const nodes = [
  { name: "pg1", ip: "10.0.0.11" },
  { name: "pg2", ip: "10.0.0.12" },
  { name: "e1", ip: "10.0.0.21" },
];
const ctx = { lab: { nodes, node: (n: string) => nodes.find((x) => x.name === n)! } } as unknown as Pick<FaultContext, "lab">;

describe("peerIps", () => {
  test("every other node by default; the listed ones otherwise", () => {
    expect(peerIps(ctx, ["pg1"], undefined)).toEqual(["10.0.0.12", "10.0.0.21"]);
    expect(peerIps(ctx, ["pg1"], ["e1"])).toEqual(["10.0.0.21"]);
  });

  test("a target that `from` also names (a role resolved at run time) is not cut from itself", () => {
    // leader@start resolved to pg1, with from: [pg1, pg2, e1] as explore may draw it.
    expect(peerIps(ctx, ["pg1"], ["pg1", "pg2", "e1"])).toEqual(["10.0.0.12", "10.0.0.21"]);
  });
});
