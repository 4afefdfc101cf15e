import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import type { NodeSample } from "../history/events.js";
import { NodeRefResolver } from "./node-refs.js";

const nodes = ["pg1", "pg2", "pg3"];
const sample = (t: number, node: string, role: "primary" | "replica"): NodeSample => ({
  kind: "node",
  t,
  node,
  restUp: true,
  pgUp: true,
  latencyMs: 5,
  role,
  writable: role === "primary",
});
const ref = (type: "leader" | "replica", step = "start") => ({ type, text: `${type}@${step}`, step });

describe("NodeRefResolver", () => {
  it("resolves leader@start and replica@start from the samples recorded when the first step began", () => {
    const h = new History();
    h.append({ kind: "dcs", t: 900, reachable: true, leader: "pg2", members: nodes, etcdHealth: {} });
    h.append(sample(950, "pg1", "replica"));
    h.append(sample(960, "pg2", "primary"));
    h.append(sample(970, "pg3", "replica"));
    const refs = new NodeRefResolver(h, new Map([["start", 1000]]), nodes);
    expect(refs.resolve(ref("leader"))).toBe("pg2");
    expect(refs.resolve(ref("replica"))).toBe("pg1");
  });

  it("refuses to guess a replica when no leader was known when the step began", () => {
    // The record as it stood in the failed -j 2 run: the first samples not yet in.
    const h = new History();
    const refs = new NodeRefResolver(h, new Map([["start", 1000]]), nodes);
    expect(() => refs.resolve(ref("replica"))).toThrow(/replica@start: no leader known when step 'start' began/);
    expect(() => refs.resolve(ref("leader"))).toThrow(/no leader known/);
  });

  it("keeps a resolved reference fixed, whatever is recorded later", () => {
    const h = new History();
    h.append(sample(950, "pg1", "primary"));
    h.append(sample(960, "pg2", "replica"));
    const refs = new NodeRefResolver(h, new Map([["start", 1000]]), nodes);
    expect(refs.resolve(ref("replica"))).toBe("pg2");
    h.append({ kind: "dcs", t: 1100, reachable: true, leader: "pg2", members: nodes, etcdHealth: {} });
    h.append(sample(1100, "pg2", "primary"));
    expect(refs.resolve(ref("replica"))).toBe("pg2");
  });
});
