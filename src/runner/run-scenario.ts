import path from "node:path";
import { mkdir } from "node:fs/promises";
import type { Scenario, Step } from "../scenario/schema.js";
import { History } from "../history/history.js";
import type { StepEvent } from "../history/events.js";
import { startLab, type StartedLab } from "../lab/start-lab.js";
import { clusterSpec, type ClusterSpec } from "../lab/topology.js";
import { Recorder } from "../recorder/recorder.js";
import { Writer, WRITES_TABLE, writeSequence } from "../generator/writer.js";
import { haproxyTarget, hasHaproxy, waitHaproxyPrimary } from "../lab/haproxy.js";
import { dcsEndpointReport } from "../recorder/dcs-endpoint-sampler.js";
import { haproxyRoutingNote } from "../recorder/haproxy-sampler.js";
import { currentPrimary } from "../generator/primary-view.js";
import { NodeRefResolver } from "./node-refs.js";
import { ActiveFaults } from "./active-faults.js";
import { buildFault } from "../faults/index.js";
import { DCS_PROXY_FAULTS } from "../scenario/fault-params.js";
import type { FaultContext } from "../faults/fault.js";
import { actions } from "../actions/index.js";
import { evaluateCondition, probesFor, type ConditionContext } from "../conditions/index.js";
import { patroniRest, pgTarget } from "../lab/lab-clients.js";
import { pgConnect } from "../clients/pg.js";
import { buildReport, type RunReport, type Versions } from "../report/model.js";
import { Journal } from "../report/journal.js";
import { writeReports } from "../report/write.js";
import { monoMs, sleep } from "../util/time.js";
import { errorText, UserFacingError } from "../util/errors.js";
import { InterruptedError } from "../util/cleanup.js";
import type { Progress } from "../util/progress.js";
import { newRunId, newSecret } from "../lab/run-id.js";
import { JOURNAL_FILE } from "../report/journal.js";
import type { LabSecrets } from "../lab/lab-api.js";
import { describeStep } from "./describe-step.js";
import { judge } from "./judge.js";
import { readVersions } from "../lab/versions.js";
import { formatActionLog, patroniLinesDuring } from "./action-log.js";
import { ensureEngine } from "../engine/docker-engine.js";
import { resolveLabImage } from "../image/resolve.js";
import { unmetRequirements } from "../versions/range.js";
import { teamConfigOverrides } from "../lab/patroni-config.js";
import { describeOverrides } from "../lab/team-config.js";
import { deepMerge } from "../lab/deep-merge.js";
import { patroniTimingAdjustments } from "../stacks/timing-adjustments.js";

export interface ScenarioRunInput {
  scenario: Scenario;
  file: string;
  text: string;
  /** Source line of each step (for the report), by step index. */
  stepLines: (number | undefined)[];
}

export interface RunOptions {
  /** The scenario's report directory is <reportsDir>/<scenario name>. */
  reportsDir: string;
  /** Multiplies every `within` budget and the settle time (slow CI). */
  timeScale: number;
  progress: Progress;
  signal?: AbortSignal;
  runId?: string;
  /** The pgchaos stack to run on (default bookworm). */
  stack?: string;
  /** A user's own image (run --image): replaces the stack's and the scenario's topology.image. */
  image?: string;
  /** A team's own patroni.yml (run --patroni-config FILE), merged into every node before the scenario's patroni_config. */
  patroniConfig?: Record<string, unknown>;
}

/** Thrown inside runScenario when the scenario does not apply to the lab's versions. */
class SkipRun extends Error {}

export interface ScenarioResult {
  report: RunReport;
  dir: string;
  /** The run's generated credentials, for tests that check no report contains them. Never printed. */
  secrets: LabSecrets;
}

/** The scenario's topology and DCS settings as a lab cluster spec. */
export function specFor(s: Scenario): ClusterSpec {
  const overrides: ClusterSpec["overrides"] = {};
  for (const [node, o] of Object.entries(s.nodes)) overrides[node] = { patroniConfig: o.patroni_config, etcdHosts: o.etcd_hosts };
  return clusterSpec({
    ...(s.patroni_config ? { teamPatroniConfig: s.patroni_config } : {}),
    etcd: { members: s.topology.etcd.members, preVote: s.topology.etcd.pre_vote },
    patroni: { nodes: s.topology.patroni },
    haproxy: s.topology.haproxy,
    dcsProxy: s.topology.dcs_proxy ?? s.steps.some((st) => st.kind === "fault" && DCS_PROXY_FAULTS.includes((st as { fault: string }).fault)),
    dcs: { ...s.patroni },
    overrides,
  });
}

const POLL_MS = 200;

/**
 * Runs one scenario end to end: lab up, recorder and workload on, steps in order, every fault
 * healed, settle, final read, lab removed; then the checkers judge the recorded history and
 * the reports are written. Heal and teardown happen whatever goes wrong (finally blocks and
 * the process-wide cleanup registry for signals). Never throws for a scenario that merely
 * failed: the outcome is in the report.
 */
export async function runScenario(input: ScenarioRunInput, opts: RunOptions): Promise<ScenarioResult> {
  const { scenario } = input;
  const { progress } = opts;
  const runId = opts.runId ?? newRunId();
  const dir = path.join(opts.reportsDir, scenario.name);
  await mkdir(dir, { recursive: true });
  const startedAt = new Date();
  // t = 0 is the start of the run; the "cluster ready" note marks the end of setup.
  const origin = monoMs();
  const now = () => Math.round(monoMs() - origin);
  const history = new History();
  // Credentials for this run only; every report and journal line is redacted of them.
  const secrets: LabSecrets = { superuserPassword: newSecret(), replicationPassword: newSecret(), restapiPassword: newSecret() };
  const journal = new Journal(
    path.join(dir, JOURNAL_FILE),
    { runId, wall: startedAt.toISOString(), scenario: scenario.name, scenarioFile: input.file },
    { secrets: Object.values(secrets) },
  );
  journal.attach(history);
  const stepStarts = new Map<string, number>();
  let started: StartedLab | undefined;
  let recorder: Recorder | undefined;
  let writer: Writer | undefined;
  /** With workload.via haproxy, a direct writer runs alongside, so both RTOs are measured. */
  let directWriter: Writer | undefined;
  let faults: ActiveFaults | undefined;
  let error: string | undefined;
  let skipped: string | undefined;
  let patroniConfigOverrides: string[] = [];
  let versions: Partial<Versions> = {};
  const findings: string[] = [];
  let setupMs = 0;
  let teardownStart = 0;
  const scale = (ms: number) => Math.round(ms * opts.timeScale);
  const note = (text: string, level: "info" | "warn" | "error" = "info") => history.append({ kind: "note", t: now(), text, level });

  try {
    const prog = (l: string) => progress(`[${scenario.name}] ${l}`);
    const labImage = await resolveLabImage(await ensureEngine(prog), prog, { stack: opts.stack, image: opts.image ?? scenario.topology.image });
    versions = { ...labImage.facts.versions, ...(labImage.stack ? { stack: labImage.stack } : {}), image: labImage.ref };
    const unmet = unmetRequirements(scenario.requires, labImage.facts.versions);
    if (unmet) throw new SkipRun(unmet);
    const spec = specFor(scenario);
    if (opts.patroniConfig) spec.teamPatroniConfig = deepMerge(opts.patroniConfig, spec.teamPatroniConfig ?? {});
    patroniConfigOverrides = describeOverrides(teamConfigOverrides({ ...spec, pgBinDir: labImage.facts.pgBinDir }, secrets));
    for (const o of patroniConfigOverrides) note(`your patroni.yml: pgchaos keeps ${o}`, "warn");
    if (patroniConfigOverrides.length) prog(`your patroni.yml: pgchaos keeps its own ${patroniConfigOverrides.join("; ")}`);
    progress(`[${scenario.name}] starting lab (${scenario.topology.etcd.members} etcd + ${scenario.topology.patroni} Patroni) on ${labImage.stack ? `stack ${labImage.stack}` : labImage.ref}: Patroni ${labImage.facts.versions.patroni}, PostgreSQL ${labImage.facts.versions.postgresql}, etcd ${labImage.facts.versions.etcd}`);
    started = await startLab(spec, {
      labImage,
      progress: (l) => progress(`[${scenario.name}] ${l}`),
      reportDir: dir,
      runId,
      secrets,
      signal: opts.signal,
      readyTimeoutMs: scale(180_000),
      onLogLine: (node, line) => history.append({ kind: "log", t: now(), node, line }),
      onDcsProxyNotice: (n) => history.append({ kind: "dcs-proxy", t: now(), ...n }),
    });
    const lab = started.lab;
    setupMs = now();
    note(`cluster ready: leader ${started.ready.leader} (etcd ${started.ready.etcdSec.toFixed(1)} s, leader ${started.ready.leaderSec.toFixed(1)} s, replicas ${started.ready.replicasSec.toFixed(1)} s)`);
    versions = await readVersions(started);

    const patroniNodes = lab.patroniNodes().map((n) => n.name);
    const etcdNodes = lab.etcdNodes().map((n) => n.name);
    const refs = new NodeRefResolver(history, stepStarts, patroniNodes);
    const faultCtx: FaultContext = { lab, history, now, log: (m) => note(m) };
    faults = new ActiveFaults(faultCtx, history);

    if (hasHaproxy(lab)) {
      const ms = await waitHaproxyPrimary(lab, started.ready.leader, scale(30_000), opts.signal);
      note(`haproxy routes its primary port to ${started.ready.leader} (after ${(ms / 1000).toFixed(1)} s)`);
    }
    await Writer.prepare(lab, started.ready.leader);
    recorder = new Recorder(lab, history, now);
    recorder.start();
    const wl = scenario.workload;
    const sequence = writeSequence();
    if (wl.via === "haproxy") {
      writer = new Writer(lab, history, now, { rate: wl.rate, timeoutMs: wl.timeout, via: "haproxy", haproxy: haproxyTarget(lab), sequence });
      directWriter = new Writer(lab, history, now, { rate: wl.rate, timeoutMs: wl.timeout, via: "direct", sequence });
      directWriter.start();
    } else writer = new Writer(lab, history, now, { rate: wl.rate, timeoutMs: wl.timeout, via: "direct", sequence });
    writer.start();
    // A second of samples and writes before the first step: "before" is part of the story.
    await sleep(1000, opts.signal);

    for (let i = 0; i < scenario.steps.length; i++) {
      opts.signal?.throwIfAborted();
      const step = scenario.steps[i];
      const id = step.id ?? (step as { label?: string }).label ?? `step-${i}`;
      const tS = now();
      stepStarts.set(id, tS);
      if (i === 0) stepStarts.set("start", tS);
      const text = describeStep(step);
      const type = step.kind as StepEvent["type"];
      history.append({ kind: "step", t: tS, index: i, id, type, phase: "start", text });
      progress(`[${scenario.name}] step ${i + 1}/${scenario.steps.length}: ${text}`);
      let outcome: "pass" | "fail" | "error" = "pass";
      let detail = "";
      try {
        const r = await runStep(step, id, {
          history,
          now,
          refs,
          faults,
          faultCtx,
          patroniNodes,
          etcdNodes,
          stepStarts,
          scale,
          defaultWithinMs: defaultWithinMs(scenario.patroni),
          signal: opts.signal,
          progress: (l) => progress(`[${scenario.name}]   ${l}`),
        });
        outcome = r.ok ? "pass" : "fail";
        detail = r.detail;
      } catch (e) {
        if (e instanceof InterruptedError || opts.signal?.aborted) {
          history.append({ kind: "step", t: now(), index: i, id, type, phase: "end", text, outcome: "error", detail: "interrupted" });
          throw e;
        }
        outcome = "error";
        detail = errorText(e);
      }
      history.append({ kind: "step", t: now(), index: i, id, type, phase: "end", text, outcome, detail });
      progress(`[${scenario.name}]   ${outcome}${detail ? `: ${detail.slice(0, 200)}` : ""}`);
      if (outcome === "error") {
        error = `step ${i + 1} (${id}): ${detail}`;
        break;
      }
    }

    const healErrors = await faults.healAll();
    if (healErrors.length) {
      error ??= `healing failed: ${healErrors.join("; ")}`;
      findings.push(`healing failed: ${healErrors.join("; ")}`);
    }
    // Settle: the cluster should converge by itself (a leader, every replica streaming).
    const settleMs = scale(scenario.settle);
    progress(`[${scenario.name}] settling (up to ${(settleMs / 1000).toFixed(0)} s): waiting for a leader and streaming replicas`);
    const settled = await waitSettled(history, now, patroniNodes, settleMs, opts.signal);
    note(settled ? `settled: leader ${settled} and every replica streaming` : `did not settle within ${(settleMs / 1000).toFixed(0)} s`, settled ? "info" : "warn");
    if (!settled) findings.push(`the cluster did not converge (a leader and every replica streaming) within settle time ${(settleMs / 1000).toFixed(0)} s after the last step`);
    await Promise.all([writer.stop(), directWriter?.stop()]);
    // Let replicas replay the last writes before reading them back.
    await sleep(1500, opts.signal);
    await finalRead(started, history, now, settled ?? currentPrimary(history, patroniNodes));
  } catch (e) {
    if (e instanceof SkipRun) {
      skipped = e.message;
      note(`skipped: ${skipped}`);
      progress(`[${scenario.name}] skipped: ${skipped}`);
    } else {
      if (e instanceof InterruptedError || opts.signal?.aborted) error = `interrupted (${errorText(opts.signal?.reason ?? e)})`;
      else error = errorText(e);
      note(`run aborted: ${error}`, "error");
    }
  } finally {
    await writer?.stop().catch(() => {});
    await directWriter?.stop().catch(() => {});
    if (faults) {
      const errs = await faults.healAll();
      if (errs.length) findings.push(`healing during teardown failed: ${errs.join("; ")}`);
    }
    await recorder?.stop().catch(() => {});
    // Which etcd member each Patroni node used while an etcd member was isolated (incident 2).
    const endpoints = dcsEndpointReport(history.all(), (scenario.patroni.retry_timeout + scenario.patroni.loop_wait) * 1000);
    for (const n of endpoints.notes) note(n);
    const routing = haproxyRoutingNote(history.all());
    if (routing) note(routing);
    findings.push(...endpoints.findings);
    teardownStart = monoMs();
    await started?.dispose().catch((e: unknown) => findings.push(`teardown failed: ${errorText(e)}`));
    journal.close();
  }

  const events = history.all();
  // A skipped run has no history to judge.
  const judgement = skipped !== undefined ? { verdicts: [], findings: [] } : judge({ events, invariants: scenario.invariants, error });
  const verdicts = judgement.verdicts;
  findings.push(...judgement.findings, ...patroniTimingAdjustments(events));
  const report = buildReport({
    runId,
    scenario: {
      name: scenario.name,
      description: scenario.description,
      file: input.file,
      text: input.text,
      incident: scenario.incident === undefined ? undefined : String(scenario.incident),
    },
    startedAt,
    endedAt: new Date(),
    origin: startedAt,
    topology: started
      ? { scope: started.lab.scope, nodes: started.lab.nodes.map((n) => ({ name: n.name, kind: n.kind, ip: n.ip })) }
      : undefined,
    versions,
    events,
    verdicts,
    error,
    skipped,
    patroniConfigOverrides,
    findings,
    stepLines: Object.fromEntries(input.stepLines.map((l, i) => [i, l]).filter(([, l]) => l !== undefined)) as Record<number, number>,
    logs: { journal: "journal.jsonl", dir: "logs" },
    setupMs,
    teardownMs: teardownStart ? Math.round(monoMs() - teardownStart) : undefined,
  });
  await writeReports(dir, report, { secrets: Object.values(secrets) });
  return { report, dir, secrets };
}

interface StepEnv {
  history: History;
  now: () => number;
  refs: NodeRefResolver;
  faults: ActiveFaults;
  faultCtx: FaultContext;
  patroniNodes: string[];
  etcdNodes: string[];
  stepStarts: Map<string, number>;
  scale: (ms: number) => number;
  /** Default `within` for expect steps, from the scenario's ttl/loop_wait/retry_timeout. */
  defaultWithinMs: number;
  signal?: AbortSignal;
  progress: Progress;
}

/** ttl + 2 x loop_wait + retry_timeout: a lock expires, every node runs a loop, one DCS retry. */
export function defaultWithinMs(p: { ttl: number; loop_wait: number; retry_timeout: number }): number {
  return (p.ttl + 2 * p.loop_wait + p.retry_timeout) * 1000;
}

async function runStep(step: Step, id: string, env: StepEnv): Promise<{ ok: boolean; detail: string }> {
  switch (step.kind) {
    case "sleep":
      await sleep(step.sleep, env.signal);
      return { ok: true, detail: "" };
    case "fault": {
      const { kind: _k, id: _i, note: _n, duration, ...params } = step as Step & { duration?: number };
      const fault = buildFault(params as never, id, env.faultCtx.lab, env.refs.resolve);
      await env.faults.inject(id, fault, paramsForReport(params), duration);
      return { ok: true, detail: `${fault.type} on ${fault.targets.join(", ")}${duration ? `, healed after ${duration / 1000} s` : ""}` };
    }
    case "heal": {
      if (step.heal === "all") {
        const errs = await env.faults.healAll();
        if (errs.length) throw new Error(errs.join("; "));
        return { ok: true, detail: "all active faults healed" };
      }
      await env.faults.heal(step.heal);
      return { ok: true, detail: `${step.heal} healed` };
    }
    case "update": {
      const params = { offset: step.offset };
      await env.faults.update(step.update, params);
      return { ok: true, detail: `${step.update} updated: ${describeStep(step)}` };
    }
    case "action": {
      const { kind: _k, id: _i, note: _n, action, expect_status, ...params } = step as Step & { action: string; expect_status?: number | number[] };
      const impl = actions[action];
      if (!impl) throw new UserFacingError(`action '${action}' is not implemented`);
      const t = env.now();
      // A request the cluster does not answer (timeout, refused connection) is an outcome of the
      // action, judged like a wrong status; it is not an error of the harness.
      const out = await impl
        .run(params, {
          lab: env.faultCtx.lab,
          history: env.history,
          resolve: env.refs.resolve,
          currentLeader: () => env.history.latest("dcs", (d) => d.reachable)?.leader ?? null,
        })
        .catch((e: unknown) => {
          if (env.signal?.aborted) throw e;
          return { succeeded: false, error: errorText(e) } as Awaited<ReturnType<typeof impl.run>>;
        });
      const tEnd = env.now();
      // What Patroni logged meanwhile (e.g. the leader's reasons for refusing a switchover) goes
      // with the action: log lines reach the history a moment after they are written.
      let log: string[] = [];
      if (action !== "sql" && action !== "doctor") {
        await sleep(700, env.signal);
        log = formatActionLog(patroniLinesDuring(env.history.all(), env.patroniNodes, t, tEnd + 500));
      }
      const body = log.length ? `${out.body ?? ""}\n\nPatroni log during the action:\n${log.join("\n")}` : out.body;
      env.history.append({ kind: "action", t, tEnd, id, action, ok: out.succeeded, status: out.status, body, error: out.error });
      const expected = expect_status === undefined ? undefined : Array.isArray(expect_status) ? expect_status : [expect_status];
      const ok = expected ? out.status !== undefined && expected.includes(out.status) : out.succeeded;
      const detail = `${out.status ?? ""} ${(out.body ?? out.error ?? "").replace(/\s+/g, " ").slice(0, 300)}`.trim();
      const logDetail = log.length ? `\nPatroni log:\n${log.slice(0, 15).join("\n")}${log.length > 15 ? `\n… ${log.length - 15} more in the action's body` : ""}` : "";
      return { ok, detail: (expected && !ok ? `expected status ${expected.join(" or ")}, got ${detail}` : detail) + logDetail };
    }
    case "expect":
      return expectStep(step, env);
  }
}

function paramsForReport(params: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(params, (_k, v) => (v && typeof v === "object" && "text" in v && "type" in v ? (v as { text: string }).text : v)));
}

async function expectStep(step: Extract<Step, { kind: "expect" }>, env: StepEnv): Promise<{ ok: boolean; detail: string }> {
  const since = env.now();
  const mode = step.for !== undefined ? "for" : "within";
  // Without within/for: a budget derived from Patroni's own timings (lock expiry, a loop on
  // every node, one DCS retry), stretched by the time scale like any other budget.
  const budget = step.for !== undefined ? step.for : env.scale(step.within ?? env.defaultWithinMs);
  const deadline = since + budget;
  const ctx = (): ConditionContext => ({
    history: env.history,
    since,
    now: env.now(),
    resolve: env.refs.resolve,
    stepStart: (id) => env.stepStarts.get(id),
    patroniNodes: env.patroniNodes,
    etcdNodes: env.etcdNodes,
  });
  let last: { ok: boolean; pending?: boolean; detail: string }[] = [];
  for (;;) {
    env.signal?.throwIfAborted();
    const c = ctx();
    for (const cond of step.expect) for (const p of probesFor(cond, c)) await runProbe(p, env);
    const c2 = ctx();
    last = step.expect.map((cond) => evaluateCondition(cond, c2));
    const all = last.every((r) => r.ok);
    const detail = last.map((r) => r.detail).join(" | ");
    if (mode === "within" && all) return { ok: true, detail: `after ${((env.now() - since) / 1000).toFixed(1)} s: ${detail}` };
    // `for`: a failure only counts once a sample from inside the window exists.
    if (mode === "for" && !all && !last.some((r) => r.pending)) {
      return { ok: false, detail: `broke after ${((env.now() - since) / 1000).toFixed(1)} s: ${detail}` };
    }
    if (env.now() >= deadline) {
      return mode === "for"
        ? { ok: all, detail: `held for ${(budget / 1000).toFixed(1)} s: ${detail}` }
        : { ok: false, detail: `not within ${(budget / 1000).toFixed(1)} s: ${detail}` };
    }
    await sleep(POLL_MS, env.signal);
  }
}

async function runProbe(p: { key: string; node: string; kind: "sql" | "rest"; what: string }, env: StepEnv) {
  const lab = env.faultCtx.lab;
  const t = env.now();
  try {
    if (p.kind === "rest") {
      const r = await patroniRest(lab, p.node).get(p.what, 1500);
      env.history.append({ kind: "probe", t, key: p.key, node: p.node, ok: r.status < 400, status: r.status, value: r.body ?? r.text });
    } else {
      const c = await pgConnect(pgTarget(lab, p.node), { connectTimeoutMs: 1500, queryTimeoutMs: 3000 });
      try {
        const r = await c.query({ text: p.what, rowMode: "array" });
        env.history.append({ kind: "probe", t, key: p.key, node: p.node, ok: true, value: r.rows[0]?.[0] ?? null });
      } finally {
        await c.end().catch(() => {});
      }
    }
  } catch (e) {
    env.history.append({ kind: "probe", t, key: p.key, node: p.node, ok: false, error: errorText(e).slice(0, 200) });
  }
}

/** Waits until the recorded history shows a DCS leader that is writable and every other node streaming. */
async function waitSettled(history: History, now: () => number, nodes: string[], budgetMs: number, signal?: AbortSignal): Promise<string | undefined> {
  const deadline = now() + budgetMs;
  const since = now();
  while (now() < deadline) {
    const dcs = history.latest("dcs", (d) => d.reachable);
    const leader = dcs && dcs.t >= since ? dcs.leader : null;
    if (leader) {
      const fresh = (n: string) => {
        const s = history.latest("node", (x) => x.node === n);
        return s && s.t >= since ? s : undefined;
      };
      if (fresh(leader)?.writable && nodes.filter((n) => n !== leader).every((n) => fresh(n)?.streaming)) return leader;
    }
    await sleep(POLL_MS, signal);
  }
  return undefined;
}

/** Reads back every sequence number present on each node; the primary's read is the reference. */
async function finalRead(started: StartedLab, history: History, now: () => number, primary: string | null) {
  for (const n of started.lab.patroniNodes()) {
    const t = now();
    try {
      const c = await pgConnect(pgTarget(started.lab, n.name), { connectTimeoutMs: 3000, queryTimeoutMs: 15_000 });
      try {
        const r = await c.query(`select seq from ${WRITES_TABLE} order by seq`);
        history.append({ kind: "final-read", t, node: n.name, primary: n.name === primary, seqs: r.rows.map((x: { seq: string }) => Number(x.seq)) });
      } finally {
        await c.end().catch(() => {});
      }
    } catch (e) {
      history.append({ kind: "final-read", t, node: n.name, primary: n.name === primary, seqs: [], error: errorText(e) });
    }
  }
}
