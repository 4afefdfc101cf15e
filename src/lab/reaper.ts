import net from "node:net";
import type Dockerode from "dockerode";
import { getContainerRuntimeClient } from "testcontainers";
import { LABEL_KIND, runLabels } from "./labels.js";
import { errorText } from "../util/errors.js";
import type { Progress } from "../util/progress.js";
import { sleep } from "../util/time.js";

/** The reaper's port inside its container (compose/scripts/pgchaos-reaper). */
export const REAPER_PORT = 7878;
export const REAPER_KIND = "reaper";
/** How long the reaper waits for the harness to reconnect before removing the run. */
const GRACE_S = 1;
const CONNECT_TIMEOUT_MS = 30_000;

export interface Reaper {
  containerId: string;
  /** Removes the reaper (after the lab's own teardown). Safe to call more than once. */
  stop(): Promise<void>;
}

/**
 * Starts the run's reaper: a container from the lab image that removes the run's containers and
 * networks within seconds of this process going away, SIGKILL included (testcontainers' Ryuk
 * does the same, but it cannot be pulled without a registry). This process keeps a TCP
 * connection to it open; the kernel closes it when the process dies, however it dies. The
 * engine's socket is mounted into it, as for Ryuk, so it works with a remote engine too.
 * Set PGCHAOS_REAPER=0 to keep the containers of a killed run (for a post-mortem; `pgchaos gc`
 * removes them later).
 */
export async function startReaper(docker: Dockerode, image: string, runId: string, progress: Progress): Promise<Reaper | undefined> {
  if (process.env.PGCHAOS_REAPER === "0") return undefined;
  const runtime = (await getContainerRuntimeClient()).info.containerRuntime;
  const container = await docker.createContainer({
    name: `pgchaos-${runId}-reaper`,
    Image: image,
    Entrypoint: ["/usr/bin/tini", "--", "python3", "-u", "/usr/local/bin/pgchaos-reaper", runId],
    Env: [`PGCHAOS_REAPER_PORT=${REAPER_PORT}`, `PGCHAOS_REAPER_GRACE_S=${GRACE_S}`],
    Labels: { ...runLabels(runId), [LABEL_KIND]: REAPER_KIND },
    ExposedPorts: { [`${REAPER_PORT}/tcp`]: {} },
    HostConfig: {
      Binds: [`${runtime.remoteSocketPath}:/var/run/docker.sock`],
      PortBindings: { [`${REAPER_PORT}/tcp`]: [{ HostPort: "" }] },
      // It talks to the engine through the socket only: no capabilities beyond Docker's defaults.
      CapDrop: ["ALL"],
    },
  });
  let stopped = false;
  let socket: net.Socket | undefined;
  const remove = async () => {
    await container.remove({ force: true }).catch((e: unknown) => {
      if (!/no such container|404/i.test(errorText(e))) progress(`reaper: removing ${container.id.slice(0, 12)}: ${errorText(e)}`);
    });
  };
  try {
    await container.start();
    const info = await container.inspect();
    const port = Number(info.NetworkSettings.Ports?.[`${REAPER_PORT}/tcp`]?.[0]?.HostPort);
    if (!port) throw new Error(`the reaper's port ${REAPER_PORT} is not published`);
    const connectOnce = () => connect(runtime.host, port, runId);
    socket = await retryUntil(connectOnce, CONNECT_TIMEOUT_MS, async () => {
      const state = (await container.inspect()).State;
      if (state.Running) return undefined;
      const logs = (await container.logs({ stdout: true, stderr: true, tail: 5 })).toString("utf8").replace(/[\x00-\x08]/g, "").trim();
      return `the reaper exited (${state.ExitCode}): ${logs.slice(-500)}`;
    });
    // Keep the connection: when it drops while the run goes on (engine restart, network blip), reconnect within the grace period.
    const keep = (s: net.Socket) => {
      s.on("close", () => {
        if (stopped) return;
        void retryUntil(connectOnce, GRACE_S * 1000).then(
          (again) => {
            socket = again;
            keep(again);
          },
          (e: unknown) => progress(`reaper: lost the connection to the reaper (${errorText(e)}); the run's containers may be removed`),
        );
      });
    };
    keep(socket);
  } catch (e) {
    await remove();
    throw new Error(`starting the reaper: ${errorText(e)}`);
  }
  return {
    containerId: container.id,
    async stop() {
      if (stopped) return;
      stopped = true;
      socket?.destroy();
      await remove();
    },
  };
}

/** One connection, resolved once the reaper has greeted with its run id (so it is surely ours and listening). */
function connect(host: string, port: number, runId: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    s.setKeepAlive(true, 5000);
    // Never keeps the process alive by itself.
    s.unref();
    let greeting = "";
    const fail = (why: string) => {
      s.destroy();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no greeting from ${host}:${port}`), 2000);
    s.on("error", (e) => {
      clearTimeout(timer);
      fail(errorText(e));
    });
    s.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`closed by ${host}:${port}`));
    });
    s.on("data", (d) => {
      greeting += d.toString();
      if (!greeting.includes("\n")) return;
      clearTimeout(timer);
      s.removeAllListeners("data");
      s.removeAllListeners("close");
      s.removeAllListeners("error");
      s.on("error", () => {});
      if (greeting.trim() === `pgchaos-reaper ${runId}`) resolve(s);
      else fail(`unexpected greeting '${greeting.trim().slice(0, 80)}' from ${host}:${port}`);
    });
  });
}

/** Retries `f` until it succeeds or the budget is spent; `hopeless` (asked after a failure) may end it early with a reason. */
async function retryUntil<T>(f: () => Promise<T>, budgetMs: number, hopeless?: () => Promise<string | undefined>): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      const why = await hopeless?.();
      if (why) throw new Error(why);
      if (Date.now() >= deadline) throw e;
      await sleep(250);
    }
  }
}
