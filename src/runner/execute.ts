/**
 * Execute: runs a planned scenario on a lab and records everything on the history. Lab up,
 * recorder and workload on, steps in order, every fault healed (retried until healed), settle,
 * final read, lab removed. Heal and teardown happen whatever goes wrong (finally blocks and the
 * process-wide cleanup registry for signals). Never judges: that is judge.ts, on the record.
 */
import type { History } from "../history/history.js";
import type { StepEvent } from "../history/events.js";
import { startLab, type StartedLab } from "../lab/start-lab.js";
import { phasesMs } from "../lab/setup-phases.js";
import { Recorder } from "../recorder/recorder.js";
import { ProbeRunner } from "./probes.js";
import { pinnedMemberFaulted, pinnedWatchMember, stringLeaves } from "../recorder/dcs-watch-recorder.js";
import { Writer, WRITES_TABLE, writeSequence } from "../workload/writer.js";
import { haproxyTarget, hasHaproxy, waitHaproxyPrimary } from "../lab/haproxy.js";
import { dcsEndpointReport } from "../analysis/dcs-endpoint.js";
import { haproxyRoutingNote } from "../analysis/haproxy-routing.js";
import { dcsLeaderAt, dcsSampleAt, nodeSampleAt, writeTarget } from "../history/primary.js";
import { NodeRefResolver } from "./node-refs.js";
import { ActiveFaults, healFailure, stillInjectedText, type StillInjected } from "./active-faults.js";
import { buildFault } from "../faults/registry.js";
import type { FaultContext } from "../faults/fault.js";
import { ACTIONS, PATRONI_LOG_DELAY_MS, runAction, type ActionOutcome } from "../actions/registry.js";
import { evaluateCondition, probesFor, type ConditionContext } from "../conditions/registry.js";
import { patroniRest, pgTarget } from "../lab/lab-clients.js";
import { pgConnect } from "../clients/pg.js";
import type { Versions } from "../report/model.js";
import { monoMs, sleep } from "../util/time.js";
import { errorText } from "../util/errors.js";
import { InterruptedError } from "../util/cleanup.js";
import type { Progress } from "../util/progress.js";
import type { Lab, LabSecrets } from "../lab/lab-api.js";
import { type ExpectStep, type Step, faultParams } from "../scenario/schema.js";
import { formatDuration } from "../scenario/units.js";
import { labVersions } from "../lab/versions.js";
import { runCpu } from "../lab/run-cpu.js";
import { ensureEngine } from "../engine/docker-engine.js";
import { resolveLabImage } from "../image/resolve.js";
import { withPatroniUpgrades } from "../image/upgrade-layer.js";
import { missingUpgradeVersions, upgradeSteps } from "../actions/upgrade-patroni/check.js";
import { unmetRequirements } from "../versions/range.js";
import { teamConfigOverrides } from "../lab/patroni-config.js";
import { describeOverrides } from "../lab/team-config.js";
import { deepMerge } from "../lab/deep-merge.js";
import { formatActionLog, patroniLinesDuring } from "./action-log.js";
import { paramsForRecord, resolveWhen, type PlannedStep, type RunPlan } from "./plan.js";
import { reportingWait } from "./waiting.js";

export interface ExecuteOptions {
  runId: string;
  /** The scenario's report directory (container logs go to <dir>/logs). */
  dir: string;
  secrets: LabSecrets;
  history: History;
  /** Milliseconds since the run's origin. */
  now: () => number;
  progress: Progress;
  signal?: AbortSignal;
  /** The harness's random source for the lab's DCS proxy (seeded by the run). */
  random?: () => number;
  /** pgchaos's own version, recorded with the lab's. */
  harnessVersion: string;
  /** The pgchaos stack to run on (default bookworm). */
  stack?: string;
  /** A user's own image: replaces the stack's and the scenario's topology.image. */
  image?: string;
  /** A team's own patroni.yml, merged into every node before the scenario's patroni_config. */
  patroniConfig?: Record<string, unknown>;
}

/** Thrown before the lab starts when the scenario does not apply to the image's versions. */
class SkipRun extends Error {}

export interface Execution {
  /** Why the run could not be carried out as written, when it could not. */
  error?: string;
  /** Why the run was not carried out on purpose (the scenario's `requires:` does not hold). */
  skipped?: string;
  /** pgchaos's own settings that a team's patroni.yml tried to change, and why they were kept. */
  patroniConfigOverrides?: string[];
  /** Faults whose heal never succeeded: what is still injected where, and how to remove it. */
  stillInjected: StillInjected[];
  versions: Partial<Versions>;
  topology?: { scope: string; nodes: { name: string; kind: Lab["nodes"][number]["kind"]; ip: string }[] };
  setupMs: number;
  teardownMs?: number;
}

const POLL_MS = 200;
const FINAL_READ_ATTEMPTS = 3;

export async function executeRun(plan: RunPlan, opts: ExecuteOptions): Promise<Execution> {
  const { scenario } = plan;
  const { history, now, signal } = opts;
  const progress: Progress = (l) => opts.progress(`[${scenario.name}] ${l}`);
  const stepStarts = new Map<string, number>();
  const out: Execution = { stillInjected: [], versions: {}, setupMs: 0 };
  const harnessCpu0 = process.cpuUsage();
  let started: StartedLab | undefined;
  let recorder: Recorder | undefined;
  let probes: ProbeRunner | undefined;
  /** The etcd member the recorder's DCS watch follows. */
  let dcsWatchMember: string | undefined;
  let writer: Writer | undefined;
  /** With workload.via haproxy, a direct writer runs alongside, so both RTOs are measured. */
  let directWriter: Writer | undefined;
  let faults: ActiveFaults | undefined;
  const note = (text: string, level: "info" | "warn" | "error" = "info") => history.append({ kind: "note", t: now(), text, level });
  const recordStill = (still: StillInjected[]) => {
    const fresh = still.filter((s) => !out.stillInjected.some((o) => o.id === s.id && o.target === s.target));
    out.stillInjected.push(...fresh);
    for (const f of fresh) note(`heal never succeeded: ${stillInjectedText(f)}`, "error");
    return fresh;
  };

  try {
    const docker = await ensureEngine(progress);
    let labImage = await resolveLabImage(docker, progress, { stack: opts.stack, image: opts.image ?? scenario.topology.image });
    out.versions = { ...labImage.facts.versions, ...(labImage.stack ? { stack: labImage.stack } : {}), image: labImage.ref, pgchaos: opts.harnessVersion };
    const unmet = unmetRequirements(scenario.requires, labImage.facts.versions);
    if (unmet) throw new SkipRun(unmet);
    if (upgradeSteps(plan.steps).length) {
      labImage = await withPatroniUpgrades(docker, progress, labImage);
      out.versions.image = labImage.ref;
      const missing = missingUpgradeVersions(plan.steps, { ref: labImage.ref, own: labImage.facts.versions.patroni, beside: labImage.patroniBeside ?? [] });
      if (missing.length) throw new Error(missing.join("; "));
    }
    const applying = resolveWhen(plan, labImage.facts.versions);
    for (const n of applying.notes) {
      note(n);
      progress(n);
    }
    const spec = { ...plan.spec };
    if (opts.patroniConfig) spec.teamPatroniConfig = deepMerge(opts.patroniConfig, spec.teamPatroniConfig ?? {});
    out.patroniConfigOverrides = describeOverrides(teamConfigOverrides({ ...spec, pgBinDir: labImage.facts.pgBinDir }, opts.secrets));
    for (const o of out.patroniConfigOverrides) note(`your patroni.yml: pgchaos keeps ${o}`, "warn");
    if (out.patroniConfigOverrides.length) progress(`your patroni.yml: pgchaos keeps its own ${out.patroniConfigOverrides.join("; ")}`);
    progress(
      `starting lab (${scenario.topology.etcd.members} etcd + ${scenario.topology.patroni} Patroni) on ${labImage.stack ? `stack ${labImage.stack}` : labImage.ref}: ` +
        `Patroni ${labImage.facts.versions.patroni}, PostgreSQL ${labImage.facts.versions.postgresql}, etcd ${labImage.facts.versions.etcd}`,
    );
    started = await reportingWait(
      progress,
      () => "the lab to be ready",
      plan.labReadyMs,
      startLab(spec, {
        labImage,
        progress,
        reportDir: opts.dir,
        runId: opts.runId,
        secrets: opts.secrets,
        signal,
        readyTimeoutMs: plan.labReadyMs,
        onLogLine: (node, line) => history.append({ kind: "log", t: now(), node, line }),
        onDcsProxyNotice: (n) => history.append({ kind: "dcs-proxy", t: now(), ...n }),
        ...(opts.random ? { random: opts.random } : {}),
      }),
    );
    const lab = started.lab;
    out.topology = { scope: lab.scope, nodes: lab.nodes.map((n) => ({ name: n.name, kind: n.kind, ip: n.ip })) };
    out.setupMs = now();
    note(`cluster ready: leader ${started.ready.leader} (etcd ${started.ready.etcdSec.toFixed(1)} s, leader ${started.ready.leaderSec.toFixed(1)} s, replicas ${started.ready.replicasSec.toFixed(1)} s)`);
    out.versions = { ...labVersions(started), pgchaos: opts.harnessVersion };
    // What judging and rendering need of the lab, in the record itself.
    history.append({
      kind: "run-info",
      t: now(),
      versions: out.versions,
      topology: out.topology,
      setupMs: out.setupMs,
      setupPhases: phasesMs(started.ready.phases),
      ...(out.patroniConfigOverrides.length ? { patroniConfigOverrides: out.patroniConfigOverrides } : {}),
    });

    const patroniNodes = lab.patroniNodes().map((n) => n.name);
    const etcdNodes = lab.etcdNodes().map((n) => n.name);
    const refs = new NodeRefResolver(history, stepStarts, patroniNodes);
    const faultCtx: FaultContext = { lab, history, now, log: (m) => note(m) };
    faults = new ActiveFaults(faultCtx, history, undefined, (target) => lab.node(target).containerId.slice(0, 12));

    if (hasHaproxy(lab)) {
      const ms = await waitHaproxyPrimary(lab, started.ready.leader, plan.scale(30_000), signal);
      note(`haproxy routes its primary port to ${started.ready.leader} (after ${(ms / 1000).toFixed(1)} s)`);
    }
    await Writer.prepare(lab, started.ready.leader);
    dcsWatchMember = pinnedWatchMember(etcdNodes, stringLeaves(scenario.steps));
    recorder = new Recorder(lab, history, now, { intervalMs: POLL_MS, timeoutMs: 1000, dcsWatchMember });
    recorder.start();
    // The workload and the first step start once the record describes the cluster: every node
    // sampled and the DCS read. `leader@start` / `replica@start` are resolved from the record; under load the
    // first samples arrive a second or more after the recorder starts, and a step that began
    // before them resolved `replica@start` to the leader (tls-auth-switchover-failover at -j 2).
    const firstSamples = await firstSamplesRecorded(history, patroniNodes, plan.scale(30_000), signal);
    if (firstSamples.missing.length) note(`warning: after ${(firstSamples.ms / 1000).toFixed(1)} s the record still has no sample of ${firstSamples.missing.join(", ")}; the first step starts anyway`, "warn");
    // Writes start once the record can tell them where the primary is.
    const wl = scenario.workload;
    const sequence = writeSequence();
    // A write that timed out while pgchaos itself stalled is unknown, not the cluster's failure.
    const stalls = recorder.stallMonitor;
    if (wl.via === "haproxy") {
      writer = new Writer(lab, history, now, { rate: wl.rate, timeoutMs: wl.timeout, via: "haproxy", haproxy: haproxyTarget(lab), sequence, stalls });
      directWriter = new Writer(lab, history, now, { rate: wl.rate, timeoutMs: wl.timeout, via: "direct", sequence, stalls });
      directWriter.start();
    } else writer = new Writer(lab, history, now, { rate: wl.rate, timeoutMs: wl.timeout, via: "direct", sequence, stalls });
    writer.start();
    // A second of samples and writes before the first step: "before" is part of the story.
    await sleep(1000, signal);

    probes = new ProbeRunner(lab, history, now, recorder.stallMonitor);
    const env: StepEnv = { history, now, refs, faults, lab, patroniNodes, etcdNodes, stepStarts, plan, signal, progress: (l) => progress(`  ${l}`), probes };
    for (const planned of applying.steps) {
      signal?.throwIfAborted();
      const { index: i, label: id, text } = planned;
      const tS = now();
      stepStarts.set(id, tS);
      if (i === 0) stepStarts.set("start", tS);
      const type: StepEvent["type"] = planned.step.kind;
      history.append({ kind: "step", t: tS, index: i, id, type, phase: "start", text });
      progress(`step ${i + 1}/${plan.steps.length}${planned.step.id ? ` (${id})` : ""}: ${text}`);
      let outcome: "pass" | "fail" | "error" | "skipped" = "pass";
      let detail = "";
      try {
        const r = await runStep(planned, env);
        outcome = r.ok ? "pass" : "fail";
        detail = r.detail;
      } catch (e) {
        if (e instanceof InterruptedError || signal?.aborted) {
          history.append({ kind: "step", t: now(), index: i, id, type, phase: "end", text, outcome: "error", detail: "interrupted" });
          throw e;
        }
        // on_error: continue: the author (or explore, whose overlapping faults can make one
        // another impossible, a paused container refusing an exec) accepted that it may not be carried out.
        outcome = planned.step.on_error === "continue" ? "skipped" : "error";
        detail = errorText(e);
      }
      history.append({ kind: "step", t: now(), index: i, id, type, phase: "end", text, outcome, detail });
      progress(`  ${outcome}${outcome === "skipped" ? " (on_error: continue)" : ""}${detail ? `: ${detail.slice(0, 200)}` : ""}`);
      if (outcome === "error") {
        out.error = `step ${i + 1} (${id}): ${detail}`;
        break;
      }
    }

    recordStill(await faults.healAll());
    // Settle: the cluster should converge by itself (a leader, every replica streaming).
    progress(`settling (up to ${formatDuration(plan.settleMs)}): waiting for a leader and streaming replicas`);
    const settled = await reportingWait(progress, () => "a leader and every replica streaming", plan.settleMs, waitSettled(history, now, patroniNodes, plan.settleMs, signal));
    // Judged by the cluster-settled check.
    history.append({ kind: "settle", t: now(), ok: !!settled, ...(settled ? { leader: settled } : {}), budgetMs: plan.settleMs });
    await Promise.all([writer.stop(), directWriter?.stop()]);
    // Let replicas replay the last writes before reading them back.
    await sleep(1500, signal);
    await finalRead(started, history, now, settled ?? writeTarget(history, patroniNodes) ?? null, signal);
  } catch (e) {
    if (e instanceof SkipRun) {
      out.skipped = e.message;
      note(`skipped: ${out.skipped}`);
      progress(`skipped: ${out.skipped}`);
      history.append({ kind: "run-info", t: now(), versions: out.versions, topology: { nodes: [] }, setupMs: 0 });
    } else {
      if (e instanceof InterruptedError || signal?.aborted) out.error = `interrupted (${errorText(signal?.reason ?? e)})`;
      else out.error = errorText(e);
      note(`run aborted: ${out.error}`, "error");
    }
  } finally {
    await writer?.stop().catch(() => {});
    await directWriter?.stop().catch(() => {});
    if (faults) {
      recordStill(await faults.healAll());
    }
    probes?.close();
    await recorder?.stop().catch(() => {});
    const watchFaulted = dcsWatchMember ? pinnedMemberFaulted(history.all(), dcsWatchMember) : undefined;
    if (watchFaulted) note(watchFaulted, "warn");
    // Which etcd member each Patroni node used while an etcd member was isolated (incident 2).
    // (judged by the dcs-endpoint-failover check; the notes tell the story on the timeline)
    for (const n of dcsEndpointReport(history.all(), (scenario.patroni.retry_timeout + scenario.patroni.loop_wait) * 1000).notes) note(n);
    const routing = haproxyRoutingNote(history.all());
    if (routing) note(routing);
    if (started) {
      const cpu = await runCpu(started.docker, opts.runId, harnessCpu0);
      const teardownStart = monoMs();
      const teardownError = await started.dispose().then(
        () => undefined,
        (e: unknown) => errorText(e),
      );
      out.teardownMs = Math.round(monoMs() - teardownStart);
      // Judged by the lab-teardown check.
      history.append({ kind: "teardown", t: now(), ok: teardownError === undefined, ...(teardownError ? { error: teardownError } : {}), durationMs: out.teardownMs, cpu });
    }
  }
  // A heal that never succeeded makes the run an error whatever else happened.
  const failure = healFailure(out.stillInjected);
  if (failure) out.error ??= failure.error;
  history.append({
    kind: "run-end",
    t: now(),
    endedAt: new Date().toISOString(),
    ...(out.error !== undefined ? { error: out.error } : {}),
    ...(out.skipped !== undefined ? { skipped: out.skipped } : {}),
  });
  return out;
}

interface StepEnv {
  history: History;
  now: () => number;
  refs: NodeRefResolver;
  faults: ActiveFaults;
  lab: Lab;
  patroniNodes: string[];
  etcdNodes: string[];
  stepStarts: Map<string, number>;
  plan: RunPlan;
  signal?: AbortSignal;
  progress: Progress;
  probes: ProbeRunner;
}

type StepResult = { ok: boolean; detail: string };

async function runStep(planned: PlannedStep, env: StepEnv): Promise<StepResult> {
  const step: Step = planned.step;
  const id = planned.label;
  switch (step.kind) {
    case "sleep":
      await reportingWait(env.progress, () => planned.text, step.sleep, sleep(step.sleep, env.signal));
      return { ok: true, detail: "" };
    case "fault": {
      const params = faultParams(step);
      const fault = buildFault(step.fault, params, { id, lab: env.lab, resolve: env.refs.resolve });
      await env.faults.inject(id, fault, paramsForRecord(params), step.duration);
      return { ok: true, detail: `${fault.type} on ${fault.targets.join(", ")}${step.duration ? `, healed after ${formatDuration(step.duration)}` : ""}` };
    }
    case "heal": {
      if (step.heal === "all") {
        const still = await env.faults.healAll();
        if (still.length) throw new Error(still.map(stillInjectedText).join("; "));
        return { ok: true, detail: "all active faults healed" };
      }
      await env.faults.heal(step.heal);
      return { ok: true, detail: `${step.heal} healed` };
    }
    case "update": {
      const { kind: _kind, id: _id, note: _note, when: _when, on_error: _onError, update, ...params } = step;
      await env.faults.update(update, params);
      return { ok: true, detail: `${update} updated: ${planned.text}` };
    }
    case "action":
      return actionStep(step, id, env);
    case "expect":
      return expectStep(step, planned.text, env);
  }
}

async function actionStep(step: Extract<Step, { kind: "action" }>, id: string, env: StepEnv): Promise<StepResult> {
  const t = env.now();
  // A request the cluster does not answer (timeout, refused connection) is an outcome of the
  // action, judged like a wrong status; it is not an error of the harness.
  const out = await runAction(step.action, step, {
    lab: env.lab,
    history: env.history,
    resolve: env.refs.resolve,
    currentLeader: () => dcsLeaderAt(env.history) ?? null,
  }).catch((e: unknown): ActionOutcome => {
    if (env.signal?.aborted) throw e;
    return { succeeded: false, error: errorText(e) };
  });
  const tEnd = env.now();
  let log: string[] = [];
  if (ACTIONS[step.action].collectsPatroniLog) {
    await sleep(PATRONI_LOG_DELAY_MS, env.signal);
    log = formatActionLog(patroniLinesDuring(env.history.all(), env.patroniNodes, t, tEnd + 500));
  }
  const body = log.length ? `${out.body ?? ""}\n\nPatroni log during the action:\n${log.join("\n")}` : out.body;
  env.history.append({ kind: "action", t, tEnd, id, action: step.action, ok: out.succeeded, status: out.status, body, error: out.error });
  const expected = "expect_status" in step ? step.expect_status : undefined;
  const ok = expected ? out.status !== undefined && expected.includes(out.status) : out.succeeded;
  const detail = `${out.status ?? ""} ${(out.body ?? out.error ?? "").replace(/\s+/g, " ").slice(0, 300)}`.trim();
  const logDetail = log.length ? `\nPatroni log:\n${log.slice(0, 15).join("\n")}${log.length > 15 ? `\n… ${log.length - 15} more in the action's body` : ""}` : "";
  return { ok, detail: (expected && !ok ? `expected status ${expected.join(" or ")}, got ${detail}` : detail) + logDetail };
}

async function expectStep(step: ExpectStep, text: string, env: StepEnv): Promise<StepResult> {
  const since = env.now();
  const mode = step.for !== undefined ? "for" : "within";
  // Without within/for: a budget derived from Patroni's own timings (lock expiry, a loop on
  // every node, one DCS retry), stretched by the time scale like any other budget.
  const budget = step.for !== undefined ? step.for : step.within !== undefined ? env.plan.scale(step.within) : env.plan.defaultWithinMs;
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
  const poll = async (): Promise<StepResult> => {
    for (;;) {
      env.signal?.throwIfAborted();
      const c = ctx();
      for (const cond of step.expect) for (const p of probesFor(cond, c)) await env.probes.run(p);
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
  };
  const latest = () => (last.length ? ` (now: ${last.map((r) => r.detail).join(" | ").slice(0, 160)})` : "");
  return reportingWait(env.progress, () => `${mode === "for" ? "holding" : ""} ${text}${latest()}`.trim(), budget, poll());
}

/** Waits until the recorded history shows a DCS leader that is writable and every other node streaming. */
async function waitSettled(history: History, now: () => number, nodes: string[], budgetMs: number, signal?: AbortSignal): Promise<string | undefined> {
  const deadline = now() + budgetMs;
  const since = now();
  while (now() < deadline) {
    const leader = dcsLeaderAt(history, { since });
    const fresh = (n: string) => nodeSampleAt(history, n, { since });
    if (leader && fresh(leader)?.writable && nodes.filter((n) => n !== leader).every((n) => fresh(n)?.streaming)) return leader;
    await sleep(POLL_MS, signal);
  }
  return undefined;
}

/**
 * Reads back every sequence number present on each node; the primary's read is the reference.
 * The cluster has settled and nothing is timed here, so unlike a probe the read-back gets
 * generous timeouts and three tries: a failed read makes no-acked-write-lost unknown, and at
 * load 15 on 2 cores (two labs and other work) a 3 s connect to a settled primary once timed out.
 */
async function finalRead(started: StartedLab, history: History, now: () => number, primary: string | null, signal?: AbortSignal) {
  for (const n of started.lab.patroniNodes()) {
    const t = now();
    let error = "";
    for (let attempt = 1; attempt <= FINAL_READ_ATTEMPTS; attempt++) {
      try {
        const c = await pgConnect(pgTarget(started.lab, n.name), { connectTimeoutMs: 10_000, queryTimeoutMs: 30_000 });
        try {
          const r = await c.query(`select seq from ${WRITES_TABLE} order by seq`);
          history.append({ kind: "final-read", t, node: n.name, primary: n.name === primary, seqs: r.rows.map((x: { seq: string }) => Number(x.seq)) });
          error = "";
          break;
        } finally {
          await c.end().catch(() => {});
        }
      } catch (e) {
        error = `${errorText(e)}${attempt > 1 ? ` (try ${attempt} of ${FINAL_READ_ATTEMPTS})` : ""}`;
        if (attempt < FINAL_READ_ATTEMPTS) await sleep(1000, signal);
      }
    }
    if (error) history.append({ kind: "final-read", t, node: n.name, primary: n.name === primary, seqs: [], error });
  }
}

/**
 * Waits until the record holds a sample of every Patroni node and a readable DCS sample (at most
 * `timeoutMs`); says what is still missing.
 */
async function firstSamplesRecorded(history: History, nodes: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<{ missing: string[]; ms: number }> {
  const t0 = monoMs();
  const missing = () => [...nodes.filter((n) => !nodeSampleAt(history, n)), ...(dcsSampleAt(history) ? [] : ["the DCS"])];
  while (missing().length && monoMs() - t0 < timeoutMs) await sleep(100, signal);
  return { missing: missing(), ms: monoMs() - t0 };
}
