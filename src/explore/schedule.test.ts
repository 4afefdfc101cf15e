import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import YAML from "yaml";
import * as fc from "fast-check";
import { loadScenario, parseScenario } from "../scenario/load.js";
import { parseDuration } from "../scenario/units.js";
import { DCS_PROXY_FAULTS } from "../faults/registry.js";
import {
  DEFAULT_BASE_YAML,
  EXPLORE_TAG,
  HEAL_ALL_ID,
  SETTLED_ID,
  checkExploreOptions,
  explorableKinds,
  exploreBase,
  generateSchedule,
  holdBeforeHeal,
  scheduleSeed,
  type ExploreOptions,
} from "./schedule.js";

const defaultBase = exploreBase(DEFAULT_BASE_YAML, "default.yaml", ["bookworm", "trixie"]);
/** HAProxy, TLS and auth, 5 Patroni nodes, 5 etcd members: no proxy faults, no etcd-rebuild. */
const secureBase = exploreBase(
  `name: secure-lab
description: a production-like lab
topology: { etcd: 5, patroni: 5, haproxy: true, security: { tls: true, auth: true } }
patroni: { postgresql_parameters: { max_connections: 50 } }
workload: { rate: 20, via: haproxy }
invariants: [single-primary, no-acked-write-lost, { write-availability: { max_unavailable: 60s } }]
steps: [{ sleep: 1s }]
`,
  "secure.yaml",
  ["bookworm", "sid"],
);
/** One Patroni node, one etcd member, timings of its own. */
const tinyBase = exploreBase(
  `name: tiny-lab
description: the smallest lab
allow_unsafe_timings: true
topology: { etcd: 1, patroni: 1 }
patroni: { ttl: 10, loop_wait: 5, retry_timeout: 10 }
steps: [{ sleep: 1s }]
`,
  "tiny.yaml",
);

const options = (o: Partial<ExploreOptions> = {}): ExploreOptions => ({ seed: 7, bases: [defaultBase, secureBase, tinyBase], maxSteps: 6, ...o });

describe("explore schedules", () => {
  test("the final heal waits until every fault with a duration (or a hold until the end) has lasted its time", () => {
    const steps = [{ id: "f1", fault: "partition", duration: "50s" }, { sleep: "6s" }, { id: "f2", fault: "etcd-pause" }, { sleep: "10s" }, { id: "f3", fault: "process-pause", duration: "5s" }];
    // f1: 50 s less the 16 s slept after it; f2 held 20 s, 10 s slept; f3: 5 s, nothing slept after it.
    expect(holdBeforeHeal(steps, [{ at: 0, ms: 50_000 }, { at: 2, ms: 20_000 }, { at: 4, ms: 5_000 }])).toBe(34_000);
    expect(holdBeforeHeal(steps, [{ at: 0, ms: 10_000 }])).toBe(0);
    expect(holdBeforeHeal(steps, [])).toBe(0);
  });

  const dir = mkdtemp(path.join(tmpdir(), "pgchaos-explore-"));
  afterAll(async () => rm(await dir, { recursive: true, force: true }));

  test("200 schedules are ordinary scenarios the loader accepts, each healing everything and ending with the settle expectation", async () => {
    const o = options();
    const kindsSeen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const s = generateSchedule(o, i);
      const loaded = parseScenario(s.yaml, `${s.name}.yaml`);
      expect(loaded.name).toBe(`explore-7-${i}`);
      expect(loaded.tags).toContain(EXPLORE_TAG);
      const steps = loaded.steps;
      const events = steps.filter((st) => st.kind === "fault" || st.kind === "action");
      expect(events.length).toBeGreaterThanOrEqual(1);
      expect(events.filter((st) => st.id !== undefined && /^[fa]\d+-/.test(st.id)).length).toBeLessThanOrEqual(6);
      expect(steps.at(-2)).toMatchObject({ kind: "heal", heal: "all", id: HEAL_ALL_ID });
      expect(steps.at(-1)).toMatchObject({ kind: "expect", id: SETTLED_ID });
      // What is drawn goes on past its own error (overlapping faults can make one another
      // impossible); the final heal and the settle expectation do not: they are the judgement.
      for (const st of steps.filter((x) => x.kind === "fault" || x.kind === "action" || (x.kind === "heal" && x.heal !== "all"))) expect(st.on_error).toBe("continue");
      expect(steps.at(-2)!.on_error).toBeUndefined();
      expect(steps.at(-1)!.on_error).toBeUndefined();
      const { ttl, loop_wait, retry_timeout } = loaded.patroni;
      if (!loaded.allow_unsafe_timings) expect(loop_wait + 2 * retry_timeout).toBeLessThanOrEqual(ttl);
      for (const st of events) kindsSeen.add(st.kind === "fault" ? st.fault : `action:${st.action}`);
      // A fault's duration does not hold the next steps back: the schedule sleeps until every one has run out before the final heal.
      const raw = s.doc.steps as Record<string, unknown>[];
      const slept = (from: number) => raw.slice(from + 1).reduce((t, st) => t + (typeof st.sleep === "string" ? parseDuration(st.sleep) : 0), 0);
      raw.forEach((st, j) => {
        if (typeof st.duration === "string" && ("fault" in st)) expect(slept(j)).toBeGreaterThanOrEqual(parseDuration(st.duration));
      });
      // A paused cluster is resumed before the end.
      if (events.some((st) => st.kind === "action" && st.action === "pause")) expect(steps.some((st) => st.kind === "action" && st.action === "resume")).toBe(true);
      if (s.base === "secure-lab") {
        expect(events.some((st) => st.kind === "fault" && (DCS_PROXY_FAULTS.includes(st.fault) || st.fault === "etcd-rebuild"))).toBe(false);
        expect(loaded.topology.security).toEqual({ tls: true, auth: true });
        expect(loaded.workload.via).toBe("haproxy");
        expect(loaded.patroni.postgresql_parameters).toEqual({ max_connections: 50 });
        expect(s.stack).toBe("bookworm"); // sid has no HAProxy
      }
      if (s.base === "tiny-lab") {
        expect(loaded.patroni).toMatchObject({ ttl: 10, loop_wait: 5, retry_timeout: 10 });
        expect(s.yaml).not.toMatch(/replica@/);
        expect(s.stack).toBeUndefined();
      }
      // What `pgchaos validate` reads: the file.
      if (i % 20 === 0) {
        const file = path.join(await dir, `${s.name}.yaml`);
        await writeFile(file, s.yaml);
        await expect(loadScenario(file)).resolves.toMatchObject({ name: s.name });
      }
    }
    // Every explorable kind comes up in 200 schedules.
    const { faults, actions } = explorableKinds();
    for (const k of [...faults, ...actions.map((a) => `action:${a}`)]) expect(kindsSeen).toContain(k);
    // 200 drawn, loaded and written scenarios: about 1.5 s alone, over 5 s beside running labs on 2 cores.
  }, 30_000);

  test("the same seed and options give the same YAML byte for byte; another seed or index another schedule", () => {
    for (let i = 0; i < 20; i++) {
      const a = generateSchedule(options(), i);
      const b = generateSchedule(options({ bases: [defaultBase, secureBase, tinyBase] }), i);
      expect(b.yaml).toBe(a.yaml);
      expect(b.scheduleSeed).toBe(scheduleSeed(7, i));
    }
    expect(generateSchedule(options({ seed: 8 }), 0).yaml).not.toBe(generateSchedule(options(), 0).yaml);
    expect(generateSchedule(options(), 1).yaml).not.toBe(generateSchedule(options(), 0).yaml);
    // The seed is in the file: its comment, name and description.
    const s = generateSchedule(options(), 3);
    expect(s.yaml.split("\n")[0]).toBe(`# pgchaos explore: schedule 3 of seed 7 (schedule seed ${s.scheduleSeed}) on base ${s.base}${s.stack ? `, stack ${s.stack}` : ""}`);
    expect(s.yaml).toContain("(seed 7, schedule 3)");
  });

  test("--faults and --actions restrict the kinds; a choice no base can run is refused", () => {
    const o = options({ faults: ["partition", "watch-stall"], actions: [], bases: [defaultBase] });
    checkExploreOptions(o);
    for (let i = 0; i < 30; i++) {
      const steps = (YAML.parse(generateSchedule(o, i).yaml) as { steps: Record<string, unknown>[] }).steps;
      for (const st of steps) {
        if ("fault" in st) expect(["partition", "watch-stall"]).toContain(st.fault);
        expect("action" in st).toBe(false);
      }
    }
    expect(() => checkExploreOptions(options({ faults: ["watch-stall"], actions: [], bases: [secureBase] }))).toThrow(/secure-lab/);
    expect(() => checkExploreOptions(options({ maxSteps: 0 }))).toThrow(/max-steps/);
  });

  test("any seed and index: a schedule the loader accepts (fast-check shrinks a generator's bug to its smallest seed and index)", () => {
    const o = options();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.nat(100_000), (seed, i) => {
        generateSchedule({ ...o, seed }, i);
      }),
      { numRuns: 50, seed: 1 },
    );
  });

  test("kinds that opted out say why", () => {
    const { notExplored } = explorableKinds();
    expect(notExplored.map((n) => n.kind)).toEqual(["action sql", "action patronictl", "action doctor", "action upgrade-patroni"]);
    for (const n of notExplored) expect(n.why.length).toBeGreaterThan(10);
  });

  test("a base the chosen stacks cannot run is refused", () => {
    expect(() => exploreBase("name: h\ndescription: d\ntopology: { haproxy: true }\nsteps: [{ sleep: 1s }]\n", "h.yaml", ["sid"])).toThrow(/runs on none of the stacks sid/);
  });
});
