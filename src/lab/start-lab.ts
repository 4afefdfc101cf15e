import path from "node:path";
import type Dockerode from "dockerode";
import { ensureEngine } from "../engine/docker-engine.js";
import { ensureLabImage } from "../image/lab-image.js";
import { collectGarbage } from "./gc.js";
import { DockerLab } from "./docker-lab.js";
import { waitUntilReady, type ReadyTimings } from "./ready.js";
import type { ClusterSpec } from "./topology.js";
import type { LogListener } from "./log-follower.js";
import type { LabSecrets } from "./lab-api.js";
import type { DcsProxyNotice } from "../dcs-proxy/types.js";
import { newRunId } from "./run-id.js";
import { startReaper, type Reaper } from "./reaper.js";
import { errorText } from "../util/errors.js";
import { onCleanup } from "../util/cleanup.js";
import { monoMs } from "../util/time.js";
import type { Progress } from "../util/progress.js";

export interface StartedLab {
  lab: DockerLab;
  docker: Dockerode;
  image: string;
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
  },
): Promise<StartedLab> {
  const docker = await ensureEngine(opts.progress);
  const reaped = await collectGarbage(docker);
  if (reaped.runs.length) opts.progress(`removed leftovers of dead runs: ${reaped.runs.join(", ")}`);
  const image = await ensureLabImage(docker, opts.progress);
  const runId = opts.runId ?? newRunId();
  const t0 = monoMs();
  let lab: DockerLab | undefined;
  let reaper: Reaper | undefined;
  let unregister = () => {};
  const dispose = async () => {
    unregister();
    await lab?.teardown();
    await reaper?.stop();
  };
  unregister = onCleanup(`remove lab ${runId}`, dispose);
  // The reaper starts alongside the lab (it only needs the run id): a safety net, so a reaper
  // that cannot start is a warning, not a failed run.
  const reaperStarted = startReaper(docker, image, runId, opts.progress).then(
    (r) => (reaper = r),
    (e: unknown) => opts.progress(`warning: ${errorText(e)}; if this process is killed, \`pgchaos gc\` removes its containers`),
  );
  try {
    lab = await DockerLab.start(spec, {
      docker,
      image,
      runId,
      secrets: opts.secrets,
      logDir: path.join(opts.reportDir, "logs"),
      progress: opts.progress,
      onLogLine: opts.onLogLine,
      onDcsProxyNotice: opts.onDcsProxyNotice,
      random: opts.random,
    });
    await reaperStarted;
    const createSec = (monoMs() - t0) / 1000;
    const ready = await waitUntilReady(lab, t0, opts.progress, opts.readyTimeoutMs, opts.signal);
    return { lab, docker, image, ready, createSec, dispose };
  } catch (e) {
    await reaperStarted;
    await dispose();
    throw e;
  }
}
