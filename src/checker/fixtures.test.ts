import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixtureToJson, type HistoryFixture } from "../../test/fixtures/histories/builder.js";
import { loadHistoryFile } from "../../test/fixtures/histories/load.js";
import { cleanRun, splitBrain, switchover } from "../../test/fixtures/histories/scenarios.js";
import { Journal } from "../report/journal.js";
import { checkers } from "./index.js";
import { tempDirs } from "../../test/temp-dirs.js";

const tmp = tempDirs();

const dir = fileURLToPath(new URL("../../test/fixtures/histories/", import.meta.url));
const generated: Record<string, () => HistoryFixture> = {
  "clean-run.json": cleanRun,
  "switchover.json": switchover,
  "split-brain-etcd-unpause.json": splitBrain,
};

describe("history fixtures", () => {
  it("generated fixtures are up to date (UPDATE_FIXTURES=1 rewrites them)", () => {
    for (const [file, make] of Object.entries(generated)) {
      const text = fixtureToJson(make());
      if (process.env.UPDATE_FIXTURES) writeFileSync(dir + file, text);
      expect(readFileSync(dir + file, "utf8"), file).toBe(text);
    }
  });

  const files = readdirSync(dir).filter((f) => (f.endsWith(".json") && !f.endsWith(".expect.json")) || f.endsWith(".jsonl"));
  it("has fixtures", () => expect(files.length).toBeGreaterThanOrEqual(3));

  // Every history file in the folder, hand-built or recorded: each listed expectation holds.
  for (const file of files) {
    it(`checkers on ${file}`, () => {
      const f = loadHistoryFile(dir + file);
      expect(f.events.length).toBeGreaterThan(0);
      for (const [name, ok] of Object.entries(f.expect ?? {})) {
        const v = checkers[name]().check(f.events);
        expect(v.ok, `${name}: ${v.summary}`).toBe(ok);
      }
      // Under the promise every shipped scenario runs with (asynchronous replication, Patroni's
      // default maximum_lag_on_failover), no-acked-write-lost judges each recorded history the
      // same: none of them holds a loss that configuration allows.
      if (f.expect?.["no-acked-write-lost"] !== undefined) {
        const replication = { synchronous_mode: "off", synchronous_mode_strict: false, maximum_lag_on_failover: 1048576, ttl: 10 } as const;
        const v = checkers["no-acked-write-lost"]({ replication }).check(f.events);
        expect(v.ok, v.summary).toBe(f.expect["no-acked-write-lost"]);
        expect(v.figures?.lostAllowed ?? 0).toBe(0);
      }
    });
  }

  it("split-brain fixture: concrete findings", () => {
    const f = loadHistoryFile(dir + "split-brain-etcd-unpause.json");
    const sp = checkers["single-primary"]().check(f.events);
    expect(sp.figures).toMatchObject({ writableOverlaps: 1, longestWritableOverlapMs: 2530, interleavedAckedWrites: 15 });
    const lost = checkers["no-acked-write-lost"]().check(f.events);
    expect(lost.figures).toMatchObject({ lost: 20, unknownPresent: 1 });
    const av = checkers["write-availability"]({ maxUnavailableMs: 15000 }).check(f.events);
    expect(av).toMatchObject({ ok: false, figures: { longestMs: 20500 } });
  });

  it("a recorded journal (.jsonl) loads like a JSON history and judges the same", () => {
    const f = splitBrain();
    const path = join(tmp("pgchaos-fixture-"), "split-brain.jsonl");
    const j = new Journal(path, { runId: "r", wall: "2024-05-01T12:00:00.000Z" });
    for (const e of [...f.events].reverse()) j.append(e); // append order differs from t order
    j.close();
    writeFileSync(path.replace(/\.jsonl$/, ".expect.json"), JSON.stringify(f.expect));
    const loaded = loadHistoryFile(path);
    expect(loaded.expect).toEqual(f.expect);
    expect(loaded.events).toHaveLength(f.events.length);
    for (const name of Object.keys(checkers))
      expect(checkers[name]().check(loaded.events), name).toEqual(checkers[name]().check(f.events));
  });
});
