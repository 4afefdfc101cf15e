import path from "node:path";
import { readFile } from "node:fs/promises";
import { findScenarioFiles } from "./validate.js";
import { parseJobs, parseTimeScale } from "./run.js";
import { AutoJobs, PRIOR_LAB_NEED, thisMachine } from "../../gameday/jobs.js";
import { MachineClaims } from "../../gameday/machine-claims.js";
import { ScenarioError, parseScenario } from "../../scenario/load.js";
import { toRunInput } from "../../runner/run-input.js";
import { runScenarioInput } from "../../runner/run-scenario.js";
import { UnitWorkers } from "../../gameday/child.js";
import { labelledProgress } from "../../gameday/gameday.js";
import { ensureEngine } from "../../engine/docker-engine.js";
import { resolveLabImage } from "../../image/resolve.js";
import { loadKnownIssues } from "../../known-issues/load.js";
import { interruptSignal } from "../../util/cleanup.js";
import { stderrProgress } from "../../util/progress.js";
import { parseSeed } from "../../util/random.js";
import { UserFacingError } from "../../util/errors.js";
import { joinSessionReaper } from "../../lab/reaper.js";
import { parseExploreOptions, type ExploreCliValues } from "../../explore/cli-options.js";
import { checkExploreOptions, DEFAULT_BASE_YAML, exploreBase, type ExploreBase } from "../../explore/schedule.js";
import { explore, readState, type LabJob } from "../../explore/explore.js";
import { faultKindsOf, type ExploreKnownIssue } from "../../explore/findings.js";
import type { KnownIssueEntry } from "../../known-issues/load.js";
import { packageRoot } from "../../util/paths.js";
import YAML from "yaml";

/** The known issues with the fault kinds of the shipped scenario each names (scenarios/, upstream corpus included); an issue whose scenario is not found keeps none (it may explain any schedule). */
async function withFaultKinds(issues: readonly KnownIssueEntry[]): Promise<ExploreKnownIssue[]> {
  const kinds = new Map<string, string[]>();
  for (const f of await findScenarioFiles([path.join(packageRoot, "scenarios")])) {
    try {
      const doc = YAML.parse(await readFile(f, "utf8")) as Record<string, unknown> | null;
      if (doc && typeof doc.name === "string") kinds.set(doc.name, faultKindsOf(doc));
    } catch {
      // A shipped scenario that does not parse is the validate tests' business.
    }
  }
  return issues.map((k) => (kinds.has(k.scenario) ? { ...k, faultKinds: kinds.get(k.scenario)! } : { ...k }));
}

export interface ExploreCommandOptions extends ExploreCliValues {
  paths: string[];
  out?: string;
  seed?: string;
  jobs?: string;
}

/**
 * `pgchaos explore`: options checked and every base validated before any lab starts; the labs
 * are the game day's (one process per lab when more than one runs at a time, as `run -j`).
 */
export async function exploreCommand(o: ExploreCommandOptions, out: (s: string) => void): Promise<number> {
  const parsed = parseExploreOptions(o);
  // -j N, or the game day's default: learnt from the labs' cost, less what other pgchaos runs here claim (gameday/jobs.ts).
  const explicitJobs = parseJobs(o.jobs);
  const auto = explicitJobs === undefined ? new AutoJobs(await thisMachine()) : undefined;
  const claims = auto?.claims ?? new MachineClaims();
  const jobs = explicitJobs ?? auto!.max;
  const timeScale = parseTimeScale(undefined);
  // The seed: given, or the one OUT was started with (a resume), or a new one.
  const resumed = o.out !== undefined ? await readState(o.out) : undefined;
  const seed = o.seed !== undefined || !resumed ? parseSeed(o.seed) : resumed.seed;
  const dir = o.out ?? path.join("reports", `explore-${seed}`);

  const bases: ExploreBase[] = [];
  const problems: string[] = [];
  const files = o.paths.length ? await findScenarioFiles(o.paths) : [];
  if (o.paths.length && !files.length) throw new UserFacingError(`no scenario files (*.yaml, *.yml) in ${o.paths.join(", ")}`);
  for (const f of files) {
    try {
      bases.push(exploreBase(await readFile(f, "utf8"), f, parsed.stacks));
    } catch (e) {
      if (e instanceof ScenarioError || e instanceof UserFacingError) problems.push(e.message);
      else throw e;
    }
  }
  if (!files.length) bases.push(exploreBase(DEFAULT_BASE_YAML, "(the default lab)", parsed.stacks));
  if (problems.length) throw new UserFacingError(problems.join("\n"));
  const options = { seed, bases, maxSteps: parsed.maxSteps, ...(parsed.faults ? { faults: parsed.faults } : {}), ...(parsed.actions ? { actions: parsed.actions } : {}) };
  checkExploreOptions(options);
  let knownIssues;
  try {
    knownIssues = loadKnownIssues();
  } catch (e) {
    if (e instanceof ScenarioError) throw new UserFacingError(e.message);
    throw e;
  }

  const exploreIssues = await withFaultKinds(knownIssues);
  out(`pgchaos explore: seed ${seed}, ${bases.length} base(s), ${auto ? `${auto.current()} lab(s) at a time to start with (at most ${jobs}, as the labs' measured cost and other pgchaos runs here allow)` : `${jobs} lab(s) at a time`}${parsed.image ? `, image ${parsed.image}` : ""}; results in ${dir}`);
  const docker = await ensureEngine(stderrProgress);
  const image = parsed.image;
  const images = [];
  if (image) images.push(await resolveLabImage(docker, stderrProgress, { image }));
  else for (const stack of parsed.stacks.length ? parsed.stacks : [undefined]) images.push(await resolveLabImage(docker, stderrProgress, { stack }));
  // One reaper for the exploration, before its first lab, so that the processes the labs run in join it.
  if (jobs > 1) await joinSessionReaper(docker, images[0].ref, stderrProgress);

  const workers = jobs > 1 ? new UnitWorkers() : undefined;
  const need = () => auto?.need() ?? PRIOR_LAB_NEED;
  const runLab = (job: LabJob) =>
    claims.hold(need, async () => {
      const report = await runOneLab(job);
      auto?.learner.learn(report);
      return report;
    });
  const runOneLab = async (job: LabJob) => {
    const file = path.join(job.dir, "scenario.yaml");
    const input = toRunInput(parseScenario(job.yaml, file));
    const progress = labelledProgress(stderrProgress, job.name, path.relative(dir, job.dir));
    if (workers) return workers.run({ input, repeat: 1, ...(job.stack ? { stack: job.stack } : {}) }, { dir: job.dir, timeScale, seed: job.seed, stack: job.stack, ...(image ? { image } : {}), progress, signal: interruptSignal });
    const r = await runScenarioInput(input, { reportsDir: job.dir, dir: job.dir, timeScale, seed: job.seed, knownIssues, ...(job.stack ? { stack: job.stack } : {}), ...(image ? { image } : {}), progress, signal: interruptSignal });
    return r.report;
  };
  let result;
  try {
    result = await explore(
      {
        out: dir,
        options,
        jobs,
        ...(auto ? { jobsNow: () => auto.current() } : {}),
        ...(parsed.runs !== undefined ? { runs: parsed.runs } : {}),
        ...(parsed.forMs !== undefined ? { forMs: parsed.forMs } : {}),
        k: parsed.k,
        ...(parsed.shrinkRuns !== undefined ? { shrinkRuns: parsed.shrinkRuns } : {}),
        ...(parsed.shard ? { shard: parsed.shard } : {}),
        knownIssues: exploreIssues,
        stacks: parsed.stacks,
        ...(image ? { image } : {}),
      },
      { runLab, progress: stderrProgress, signal: interruptSignal },
    );
  } finally {
    claims.release();
    await workers?.close();
  }
  out(`findings: ${result.findings.length} (${path.join(dir, "findings.md")}); runs: ${path.join(dir, "index.html")}; seed ${seed}`);
  for (const f of result.findings) out(`  ${path.join(dir, "findings", f.minimal?.signature.key ?? f.signature.key)}${f.rate ? ` — ${f.rate.reproduced}/${f.rate.runs} reruns` : ""}`);
  return result.exitCode;
}
