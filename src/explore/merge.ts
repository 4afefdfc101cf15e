/**
 * `pgchaos merge` over explore OUTs: the `--shard I/N` shares of one exploration, run on several
 * CI runners, made into one OUT whose findings are those one exploration would show.
 *
 *   OUT/findings/<signature>/        copied from the shard whose minimal schedule is the smallest,
 *                                    with the failing run it links to (same path under OUT)
 *   OUT/findings.md, .json, .html    explore's own renderer, over the merged findings
 *   OUT/index.html, summary.*, junit.xml   every shard's runs, linking into the shards' folders
 *   OUT/explore-merge.json           what was merged (and the mark that OUT is a merge)
 *
 * A merged OUT has no explore-state.json: it cannot be resumed, and merging it again is refused
 * (merge the shards' own OUTs).
 */
import { cp, mkdir, readFile, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { RunReport } from "../report/model.js";
import { writeIndex, type WrittenIndex } from "../report/write.js";
import { UserFacingError } from "../util/errors.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { readState, STATE_FILE, writeFindingFiles, writeFindingsIndex, type ExploreSettings, type ExploreState, type MergedShard } from "./explore.js";
import { containsMinimal, findingDir, hasSignature, type Finding, type ShardFinding } from "./findings.js";

export const MERGE_FILE = "explore-merge.json";
const FINDINGS_FILE = "findings.json";

const exists = (p: string) => stat(p).then(() => true, () => false);
const posix = (p: string) => p.split(path.sep).join("/");

/** An explore OUT (or a merge of some): it holds explore's state, its findings or a merge's record. */
export async function isExploreOut(dir: string): Promise<boolean> {
  for (const f of [STATE_FILE, FINDINGS_FILE, MERGE_FILE]) if (await exists(path.join(dir, f))) return true;
  return false;
}

interface LoadedOut {
  /** As given. */
  dir: string;
  state: ExploreState;
}

async function loadOut(dir: string): Promise<LoadedOut> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new UserFacingError(`${dir}: no such folder; merge takes explore OUTs (the --out of pgchaos explore --shard I/N)`);
  if (await exists(path.join(dir, MERGE_FILE))) throw new UserFacingError(`${dir} is a merged exploration (pgchaos merge wrote it); merge the shards' own OUTs`);
  let state: ExploreState | undefined;
  try {
    state = await readState(dir);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserFacingError(`${path.join(dir, STATE_FILE)}: not valid JSON (${e.message})`);
    throw e;
  }
  if (!state) throw new UserFacingError(`${path.join(dir, STATE_FILE)}: missing; ${dir} holds findings.json but not explore's state: give the OUT pgchaos explore wrote`);
  if (typeof state.seed !== "number" || !Array.isArray(state.done) || !Array.isArray(state.runs) || !Array.isArray(state.book?.findings))
    throw new UserFacingError(`${path.join(dir, STATE_FILE)}: not an explore state (expected seed, done, runs and book)`);
  return { dir, state };
}

/** The options that must be equal (all but the shard), with the flag that sets each. */
const SETTINGS: [keyof ExploreSettings, string][] = [
  ["bases", "base scenarios"],
  ["faults", "--faults"],
  ["actions", "--actions"],
  ["maxSteps", "--max-steps"],
  ["stacks", "--stack"],
  ["reruns", "--reruns"],
  ["shrinkRuns", "--shrink-runs"],
  ["image", "--image"],
];
const IDENTITY_SETTINGS = new Set<keyof ExploreSettings>(["bases", "faults", "actions", "maxSteps", "stacks"]);

const shown = (v: unknown) => (v === undefined ? "none" : Array.isArray(v) ? v.join(",") || "none" : String(v));

/** What makes two OUTs shares of different explorations, in words. */
function optionDifferences(a: LoadedOut, b: LoadedOut): string[] {
  const out: string[] = [];
  if (a.state.seed !== b.state.seed) out.push(`seed ${a.state.seed} in ${a.dir}, ${b.state.seed} in ${b.dir}`);
  const sa = a.state.settings;
  const sb = b.state.settings;
  let named = false;
  if (sa && sb) {
    for (const [k, flag] of SETTINGS) {
      if (JSON.stringify(sa[k]) === JSON.stringify(sb[k])) continue;
      out.push(`${flag} ${shown(sa[k])} in ${a.dir}, ${shown(sb[k])} in ${b.dir}`);
      if (IDENTITY_SETTINGS.has(k)) named = true;
    }
  }
  if (a.state.identity !== b.state.identity && !named)
    out.push(sa && sb ? `the base scenarios' contents differ (same names: ${shown(sa.bases)})` : `other base scenarios, kinds, --max-steps or stacks`);
  return out;
}

const shardOfOut = (o: LoadedOut) => o.state.settings?.shard;
const parseShardText = (s: string) => s.split("/").map(Number) as [number, number];

/** Two OUTs that are not two different shares of one schedule space. */
function shardProblems(a: LoadedOut, b: LoadedOut): string[] {
  const out: string[] = [];
  if (a.state.settings && b.state.settings) {
    const [x, y] = [shardOfOut(a), shardOfOut(b)];
    if (x !== undefined && x === y) out.push(`${a.dir} and ${b.dir} are both shard ${x}`);
    else if (x === undefined && y === undefined) out.push(`${a.dir} and ${b.dir} both ran without --shard (every schedule)`);
    else if (x === undefined || y === undefined) {
      const [whole, other] = x === undefined ? [a, b] : [b, a];
      out.push(`${whole.dir} ran without --shard (every schedule), so it is no shard to merge with ${other.dir}`);
    } else if (parseShardText(x)[1] !== parseShardText(y)[1]) out.push(`${a.dir} is shard ${x} and ${b.dir} shard ${y}: the shards of one exploration share N`);
  }
  if (!out.length) {
    const done = new Set(a.state.done);
    const both = b.state.done.filter((i) => done.has(i));
    if (both.length)
      out.push(
        `${a.dir} and ${b.dir} both ran ${both.length} schedule(s) (${both
          .slice(0, 3)
          .map((i) => `explore-${a.state.seed}-${i}`)
          .join(", ")}${both.length > 3 ? ", ..." : ""}): the same shard twice?`,
      );
  }
  return out;
}

function checkShares(outs: readonly LoadedOut[]): void {
  const problems: string[] = [];
  const first = outs[0];
  for (const o of outs.slice(1)) {
    const d = optionDifferences(first, o);
    if (d.length) problems.push(`${first.dir} and ${o.dir} are not shards of one exploration: ${d.join("; ")}`);
  }
  if (!problems.length) for (let i = 0; i < outs.length; i++) for (const o of outs.slice(i + 1)) problems.push(...shardProblems(outs[i], o));
  if (problems.length)
    throw new UserFacingError(`${problems.join("\n")}\nmerge combines the OUTs of one exploration's --shard I/N runs: the same seed and options, each shard once`);
}

/* ------------------------------------------------------------------------------------------ */

interface Member {
  out: LoadedOut;
  f: Finding;
}

/** Both were found or shrunk with a signature of the other: explore itself books such schedules as one finding. */
const sameSignature = (a: Finding, b: Finding) => hasSignature(a, b.signature) || (!!b.minimal && hasSignature(a, b.minimal.signature));

/**
 * One shard's schedule contains what the other shard's finding shrank to: one finding, as explore
 * counts a schedule for an already shrunk finding. Both ways, since neither shard's shrink came
 * "first". Not applied within an OUT: explore has already judged its own findings apart.
 */
const sameCause = (a: Member, b: Member) => a.out !== b.out && (containsMinimal(a.f.signature, b.f) || containsMinimal(b.f.signature, a.f));

/**
 * A finding whose minimal schedule is smaller: shrunk before not shrunk, fewer fault and action
 * steps, then the better reproduction rate (its fraction, then the interval's lower bound, which
 * grows with the reruns).
 */
function smaller(a: Finding, b: Finding): boolean {
  if (!!a.minimal !== !!b.minimal) return !!a.minimal;
  if (a.minimal && b.minimal && a.minimal.steps !== b.minimal.steps) return a.minimal.steps < b.minimal.steps;
  const [ra, rb] = [a.rate?.rate ?? -1, b.rate?.rate ?? -1];
  if (ra !== rb) return ra > rb;
  return (a.rate?.low ?? -1) > (b.rate?.low ?? -1);
}

/**
 * Groups the shards' findings: the same signature first (whatever OUT; every group it shares one
 * with becomes one, so no two groups end up with the same folder), else the same cause across
 * OUTs; else a finding of its own.
 */
function groupFindings(outs: readonly LoadedOut[]): Member[][] {
  const groups: Member[][] = [];
  const order = new Map<Member, number>();
  for (const out of outs) {
    for (const f of out.state.book.findings) {
      const m = { out, f };
      order.set(m, order.size);
      const same = groups.filter((x) => x.some((y) => sameSignature(y.f, f)));
      const [into, ...also] = same.length ? same : groups.filter((x) => x.some((y) => sameCause(y, m))).slice(0, 1);
      if (!into) {
        groups.push([m]);
        continue;
      }
      for (const x of also) {
        into.push(...x);
        groups.splice(groups.indexOf(x), 1);
      }
      into.push(m);
    }
  }
  // Members in shard order (joined groups may have mixed it): the merged finding lists them so.
  for (const g of groups) g.sort((a, b) => order.get(a)! - order.get(b)!);
  return groups;
}

/** A folder name or run path from a state file, used under the merged OUT: never outside it. */
function inside(rel: string, what: string): string {
  const n = path.normalize(rel);
  if (!rel || path.isAbsolute(rel) || n === ".." || n.startsWith(`..${path.sep}`)) throw new UserFacingError(`${what}: '${rel}' is not a path inside the OUT`);
  return n;
}

/** A schedule's run folder without explore's reruns and shrink runs kept inside it (they are not the run the finding links to). */
async function copyRun(from: string, to: string, what: string): Promise<void> {
  if (!(await exists(from))) throw new UserFacingError(`${from}: missing; ${what} links to it`);
  await cp(from, to, {
    recursive: true,
    filter: (src) => !/^(rerun-\d+|shrink-\d+)$/.test(path.relative(from, src).split(path.sep)[0] ?? ""),
  });
}

export interface MergedExploration {
  seed: number;
  /** The OUTs, in shard order. */
  outs: { dir: string; shard?: string; schedules: number }[];
  schedules: number;
  labRuns: number;
  findings: Finding[];
  explained: Record<string, number>;
  /** What the reader should know: shards missing, findings a shard has not finished. */
  notes: string[];
  findingsMarkdown: string;
  index: WrittenIndex;
}

async function prepareOut(out: string, outs: readonly LoadedOut[]): Promise<void> {
  const dest = path.resolve(out);
  const given = outs.find((o) => path.resolve(o.dir) === dest);
  if (given) throw new UserFacingError(`--out ${out} is one of the OUTs merged; merge into another folder`);
  if (await exists(path.join(out, STATE_FILE))) throw new UserFacingError(`${out} holds an exploration (${STATE_FILE}); merge into another --out`);
  if (await exists(path.join(out, MERGE_FILE))) {
    // An earlier merge into the same folder: its copies go, so no finding of it lingers unlisted.
    await rm(path.join(out, "findings"), { recursive: true, force: true });
    await rm(path.join(out, "runs"), { recursive: true, force: true });
  } else if (await exists(path.join(out, "findings"))) {
    throw new UserFacingError(`${out} holds a findings/ folder pgchaos merge did not write; merge into another --out`);
  }
  await mkdir(out, { recursive: true });
}

/**
 * One explore OUT in `out` from the OUTs of one exploration's shards (same seed and options,
 * each shard once; checked first, nothing is written when they are not). Findings of one
 * signature are one: it keeps the smallest minimal schedule, the schedules of every shard that
 * hit it, and each shard's rate; known issues' counts add up.
 */
export async function mergeExplorations(dirs: readonly string[], out: string): Promise<MergedExploration> {
  const resolved = dirs.map((d) => path.resolve(d));
  const twice = resolved.find((d, i) => resolved.indexOf(d) !== i);
  if (twice) throw new UserFacingError(`${twice} is given twice; name each explore OUT once`);
  const loaded: LoadedOut[] = [];
  for (const d of dirs) loaded.push(await loadOut(d));
  checkShares(loaded);
  // Shard order, whatever order the folders were named in: the merge is the same for any order.
  const rank = (o: LoadedOut) => (shardOfOut(o) ? parseShardText(shardOfOut(o)!)[0] : Number.POSITIVE_INFINITY);
  const outs = [...loaded].sort((a, b) => rank(a) - rank(b));
  await prepareOut(out, outs);
  const rel = (o: LoadedOut) => posix(path.relative(out, o.dir)) || ".";

  const findings: Finding[] = [];
  for (const group of groupFindings(outs)) {
    const best = group.reduce((a, b) => (smaller(b.f, a.f) ? b : a));
    const schedules = [...new Set([best, ...group].flatMap((m) => m.f.schedules))];
    const mergedFrom: ShardFinding[] = group.map((m) => ({
      out: rel(m.out),
      ...(shardOfOut(m.out) ? { shard: shardOfOut(m.out) } : {}),
      dir: findingDir(m.f),
      schedule: m.f.schedules[0],
      schedules: m.f.schedules.length,
      ...(m.f.rate ? { rate: m.f.rate } : {}),
      ...(m.f.minimal ? { minimalSteps: m.f.minimal.steps } : {}),
    }));
    const f: Finding = { ...best.f, schedules, ...(group.length > 1 ? { mergedFrom } : {}) };
    const dir = inside(findingDir(f), `${path.join(best.out.dir, STATE_FILE)}: finding folder`);
    const from = path.join(best.out.dir, "findings", dir);
    if (!(await exists(from))) throw new UserFacingError(`${from}: missing; ${path.join(best.out.dir, STATE_FILE)} lists that finding`);
    await cp(from, path.join(out, "findings", dir), { recursive: true });
    // Same path under the merged OUT as under the shard's: minimal.report (relative to OUT) stays right, and README's link is made from it.
    if (f.minimal?.report) {
      const run = inside(f.minimal.report, `${path.join(best.out.dir, "findings", dir, "finding.json")}: failing run`);
      await copyRun(path.join(best.out.dir, run), path.join(out, run), `finding ${dir} of ${best.out.dir}`);
    }
    await writeFindingFiles(out, f);
    findings.push(f);
  }

  const explained: Record<string, number> = {};
  for (const o of outs) for (const [id, n] of Object.entries(o.state.book.explained ?? {})) explained[id] = (explained[id] ?? 0) + n;
  const done = [...new Set(outs.flatMap((o) => o.state.done))].sort((a, b) => a - b);
  const labRuns = outs.reduce((a, o) => a + (o.state.labRuns ?? 0), 0);
  const shards: MergedShard[] = outs.map((o) => ({ out: rel(o), ...(shardOfOut(o) ? { shard: shardOfOut(o) } : {}) }));
  const seed = outs[0].state.seed;
  await writeFindingsIndex(out, { seed, done, labRuns, book: { findings, explained } }, outs.length > 1 ? shards : undefined);

  const reports: RunReport[] = [];
  const links = new Map<RunReport, string>();
  for (const o of outs) {
    for (const r of o.state.runs) {
      // A schedule cut short by an interrupt has no report yet, as in explore's own index.
      const text = await readFile(path.join(o.dir, r.dir, "report.json"), "utf8").catch(() => undefined);
      if (!text) continue;
      const report = JSON.parse(text) as RunReport;
      reports.push(report);
      links.set(report, posix(path.relative(out, path.join(o.dir, r.dir, "report.md"))));
    }
  }
  const index = await writeIndex(out, reports, { reportLink: (r) => links.get(r)!, title: `pgchaos explore (seed ${seed}, merged from ${outs.length} OUT${outs.length === 1 ? "" : "s"})` });

  const notes: string[] = [];
  const counts = new Set(outs.map((o) => shardOfOut(o)).filter((s): s is string => !!s).map((s) => parseShardText(s)[1]));
  if (counts.size === 1) {
    const n = [...counts][0];
    const have = new Set(outs.map((o) => parseShardText(shardOfOut(o)!)[0]));
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length) notes.push(`shard(s) ${missing.map((i) => `${i}/${n}`).join(", ")} not merged: their schedules are not in this exploration`);
  }
  for (const o of outs) {
    const open = o.state.book.findings.filter((f) => !f.minimal).length;
    if (open) notes.push(`${o.dir}: ${open} finding(s) not yet rerun or shrunk (an interrupted explore): resume it with the same command and --out, then merge again`);
  }

  const { shard: _shard, ...settings } = outs[0].state.settings ?? {};
  await writeFileAtomic(
    path.join(out, MERGE_FILE),
    `${JSON.stringify(
      {
        version: 1,
        seed,
        identity: outs[0].state.identity,
        ...(outs[0].state.settings ? { settings } : {}),
        outs: outs.map((o) => ({ out: rel(o), ...(shardOfOut(o) ? { shard: shardOfOut(o) } : {}), schedules: o.state.done.length, findings: o.state.book.findings.length })),
      },
      null,
      2,
    )}\n`,
  );
  return {
    seed,
    outs: outs.map((o) => ({ dir: o.dir, ...(shardOfOut(o) ? { shard: shardOfOut(o) } : {}), schedules: o.state.done.length })),
    schedules: done.length,
    labRuns,
    findings,
    explained,
    notes,
    findingsMarkdown: path.join(out, "findings.md"),
    index,
  };
}
