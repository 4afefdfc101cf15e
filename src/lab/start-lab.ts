import path from "node:path";
import type Dockerode from "dockerode";
import { ensureEngine } from "../engine/docker-engine.js";
import { resolveLabImage, type LabImage } from "../image/resolve.js";
import { UserFacingError } from "../util/errors.js";
import { collectGarbage } from "./gc.js";
import { DockerLab } from "./docker-lab.js";
import { waitUntilReady, type ReadyTimings } from "./ready.js";
import { SetupPhaseMarks } from "./setup-phases.js";
import type { ClusterSpec } from "./topology.js";
import type { LogListener } from "./log-follower.js";
import type { LabSecrets } from "./lab-api.js";
import type { DcsProxyNotice } from "../dcs-proxy/types.js";
import { newRunId } from "./run-id.js";
import { joinSessionReaper } from "./reaper.js";
import { onCleanup } from "../util/cleanup.js";
import { monoMs } from "../util/time.js";
import type { Progress } from "../util/progress.js";

export interface StartedLab {
  lab: DockerLab;
  docker: Dockerode;
  image: string;
  /** The image's stack and facts (versions, PostgreSQL's bin directory) as read from it. */
  labImage: LabImage;
  ready: ReadyTimings;
  /** Seconds spent creating containers (before readiness polling starts). */
  createSec: number;
  /** Removes everything; safe to call more than once. */
  dispose(): Promise<void>;
}

/**
 * Engine, image, leftovers of dead runs reaped, the run's reaper (removes the lab if this process
 * dies, even by SIGKILL), containers created, cluster ready. The lab's teardown is registered
 * with the process-wide cleanup so an interrupt still removes it.
 */
export async function startLab(
  spec: ClusterSpec,
  opts: {
    progress: Progress;
    reportDir: string;
    runId?: string;
    secrets?: LabSecrets;
    onLogLine?: LogListener;
    /** Everything the DCS proxy does (topology.dcs_proxy), from its start. */
    onDcsProxyNotice?: (n: DcsProxyNotice) => void;
    signal?: AbortSignal;
    readyTimeoutMs?: number;
    /** The run's seeded random source (DCS proxy jitter and error probabilities). */
    random?: () => number;
    /** A pgchaos stack (default bookworm): its image is built on first use. */
    stack?: string;
    /** A user's own image instead of a stack's (checked against docs/image-contract.md). */
    image?: string;
    /** The image, already resolved (runScenario does so to check `requires:` first). */
    labImage?: LabImage;
    /** Publish the service ports on the engine's host even when not needed (`pgchaos up` prints them). */
    publishPorts?: boolean;
  },
): Promise<StartedLab> {
  const docker = await ensureEngine(opts.progress);
  const labImage = opts.labImage ?? (await resolveLabImage(docker, opts.progress, { stack: opts.stack, image: opts.image }));
  if (spec.haproxy && !labImage.facts.versions.haproxy) {
    throw new UserFacingError(`topology.haproxy needs HAProxy, which the image ${labImage.ref}${labImage.stack ? ` (stack ${labImage.stack})` : ""} does not have`);
  }
  spec = { ...spec, pgBinDir: labImage.facts.pgBinDir };
  const reaped = await collectGarbage(docker);
  if (reaped.runs.length) opts.progress(`removed leftovers of dead runs: ${reaped.runs.join(", ")}`);
  const image = labImage.ref;
  const runId = opts.runId ?? newRunId();
  const t0 = monoMs();
  const marks = new SetupPhaseMarks(t0, monoMs);
  const userLogLine = opts.onLogLine;
  const onLogLine = (node: string, line: string) => {
    marks.onLogLine(node, line);
    userLogLine?.(node, line);
  };
  let lab: DockerLab | undefined;
  let unregister = () => {};
  const dispose = async () => {
    unregister();
    await lab?.teardown();
  };
  unregister = onCleanup(`remove lab ${runId}`, dispose);
  // The session's reaper (one for this process tree, reaper.ts) is a safety net: one that cannot
  // start is a warning, not a failed run. When this process starts it, it does so once
  // the lab's containers run, while the cluster comes up: the engine starts containers about one
  // at a time, and another among the lab's delays them all. Should this process die in those
  // seconds, the next run's (or `pgchaos gc`'s) collection removes the lab.
  let reaperStarted: Promise<unknown> = Promise.resolve();
  try {
    lab = await DockerLab.start(spec, {
      docker,
      image,
      runId,
      secrets: opts.secrets,
      logDir: path.join(opts.reportDir, "logs"),
      progress: opts.progress,
      onLogLine,
      onDcsProxyNotice: opts.onDcsProxyNotice,
      random: opts.random,
      publishPorts: opts.publishPorts,
    });
    const createSec = (monoMs() - t0) / 1000;
    reaperStarted = joinSessionReaper(docker, image, opts.progress);
    const ready = await waitUntilReady(lab, t0, { createSec, marks }, opts.progress, opts.readyTimeoutMs, opts.signal);
    await Promise.all([reaperStarted, lab.dataHeld()]);
    return { lab, docker, image, labImage, ready, createSec, dispose };
  } catch (e) {
    await reaperStarted;
    await dispose();
    throw e;
  }
}
