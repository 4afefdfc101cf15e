import { describe, expect, test } from "vitest";
import { parseScenario, ScenarioError } from "../../scenario/load.js";
import type { FaultContext } from "../fault.js";
import { History } from "../../history/history.js";
import { PacketLoss } from "./packet-loss.js";

const scenario = (step: string) => `name: x\ndescription: y\nsteps:\n  - ${step}\n`;

function parseError(step: string): string {
  try {
    parseScenario(scenario(step), "x.yaml");
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error("accepted");
}

describe("packet-loss parameters", () => {
  test("probability as a share or a percentage; defaults like partition's", () => {
    const s = parseScenario(scenario("{ id: lossy, fault: packet-loss, targets: pg2, from: [pg1], probability: 30% }"), "x.yaml");
    expect(s.steps[0]).toMatchObject({ fault: "packet-loss", probability: 0.3, direction: "both", from: [{ text: "pg1" }], targets: [{ text: "pg2" }] });
    const t = parseScenario(scenario("{ fault: packet-loss, targets: [e1], probability: 1, ports: [2380] }"), "x.yaml");
    expect(t.steps[0]).toMatchObject({ probability: 1, from: "all", ports: [2380] });
  });

  test("rejects a probability of 0, above 1 or malformed, a missing one, and a node lossy with itself, with the line", () => {
    expect(parseError("{ fault: packet-loss, targets: pg2, probability: 0 }")).toMatch(/x\.yaml:4:\d+.*probability must be more than 0/);
    expect(parseError("{ fault: packet-loss, targets: pg2, probability: 1.5 }")).toMatch(/x\.yaml:4:\d+.*at most 1/);
    expect(parseError("{ fault: packet-loss, targets: pg2, probability: 130% }")).toMatch(/x\.yaml:4:\d+.*invalid probability "130%"/);
    expect(parseError("{ fault: packet-loss, targets: pg2, probability: 0% }")).toMatch(/x\.yaml:4:\d+.*more than 0%/);
    expect(parseError("{ fault: packet-loss, targets: pg2 }")).toMatch(/x\.yaml:4:\d+.*probability/);
    expect(parseError("{ fault: packet-loss, targets: pg2, from: [pg1, pg2], probability: 0.2 }")).toMatch(/x\.yaml:4:\d+.*'pg2' is also a target/);
  });
});

describe("PacketLoss", () => {
  test("one statistic DROP rule per peer, direction and port in its own chain; heal removes the chain per target", async () => {
    const calls: { node: string; script: string }[] = [];
    const nodes = [
      { name: "pg1", ip: "10.0.0.11" },
      { name: "pg2", ip: "10.0.0.12" },
      { name: "e1", ip: "10.0.0.21" },
    ];
    const lab = {
      nodes,
      node: (n: string) => nodes.find((x) => x.name === n)!,
      exec: async (node: string, cmd: string[]) => {
        calls.push({ node, script: cmd[cmd.length - 1] });
        return { exitCode: 0, stdout: "", stderr: "" };
      },
    };
    const log: string[] = [];
    const ctx: FaultContext = { lab: lab as unknown as FaultContext["lab"], history: new History(), now: () => 0, log: (m) => log.push(m) };
    const f = new PacketLoss(["pg2"], ["pg1"], 0.3, "both", "lossy", [5432]);
    await f.inject(ctx);
    expect(calls.map((c) => c.node)).toEqual(["pg2"]);
    const rules = calls[0].script.split("\n");
    expect(rules).toEqual([
      "iptables -N PGCHAOS-L-LOSSY 2>/dev/null || iptables -F PGCHAOS-L-LOSSY",
      "iptables -A PGCHAOS-L-LOSSY -s 10.0.0.11 -p tcp --dport 5432 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables -A PGCHAOS-L-LOSSY -d 10.0.0.11 -p tcp --dport 5432 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables -A PGCHAOS-L-LOSSY -s 10.0.0.11 -p tcp --sport 5432 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables -A PGCHAOS-L-LOSSY -d 10.0.0.11 -p tcp --sport 5432 -m statistic --mode random --probability 0.3 -j DROP",
      "iptables -C INPUT -j PGCHAOS-L-LOSSY 2>/dev/null || iptables -I INPUT 1 -j PGCHAOS-L-LOSSY",
      "iptables -C OUTPUT -j PGCHAOS-L-LOSSY 2>/dev/null || iptables -I OUTPUT 1 -j PGCHAOS-L-LOSSY",
    ]);
    expect(log[0]).toBe("pg2: 30% of packets (both) with pg1 dropped at random on TCP port 5432");
    await f.heal(ctx, "pg2");
    expect(calls[1]).toEqual({ node: "pg2", script: f.healScript() });
    expect(f.healScript()).toMatch(/iptables -X PGCHAOS-L-LOSSY/);
    // Without from: every other node; direction in: only packets from the peers.
    calls.length = 0;
    await new PacketLoss(["pg2"], undefined, 0.05, "in", "x").inject(ctx);
    expect(calls[0].script.split("\n").filter((l) => l.includes("-j DROP"))).toEqual([
      "iptables -A PGCHAOS-L-X -s 10.0.0.11 -m statistic --mode random --probability 0.05 -j DROP",
      "iptables -A PGCHAOS-L-X -s 10.0.0.21 -m statistic --mode random --probability 0.05 -j DROP",
    ]);
  });
});
