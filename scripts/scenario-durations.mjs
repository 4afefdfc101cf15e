#!/usr/bin/env node
// Writes test/e2e/scenario-durations.json from one or more vitest JSON reports of the e2e suite
// (reports/vitest-results.json of `bash .ci/run`): each shipped scenario's measured duration in
// ms (the mean over the reports that ran it). The e2e scenario shards are balanced with these
// instead of the steps' estimates, which missed by a factor of two where a scenario waits out
// its `within:` bounds (knapsack balancing from recorded timings, as pytest-split does).
// Usage: node scripts/scenario-durations.mjs REPORT.json [REPORT.json ...]
import { readFileSync, writeFileSync } from "node:fs";

const sums = new Map();
for (const file of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(file, "utf8"));
  for (const f of r.testResults)
    for (const a of f.assertionResults) {
      if (!/^shipped scenarios \(shard/.test(a.ancestorTitles?.[0] ?? "") || a.status !== "passed") continue;
      const s = sums.get(a.title) ?? { ms: 0, n: 0 };
      s.ms += a.duration;
      s.n += 1;
      sums.set(a.title, s);
    }
}
if (!sums.size) {
  console.error("no shipped-scenario results in those reports");
  process.exit(2);
}
const out = Object.fromEntries([...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, s]) => [k, Math.round(s.ms / s.n)]));
writeFileSync("test/e2e/scenario-durations.json", JSON.stringify(out, null, 2) + "\n");
console.log(`test/e2e/scenario-durations.json: ${sums.size} scenarios`);
