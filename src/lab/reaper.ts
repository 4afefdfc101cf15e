import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type Dockerode from "dockerode";
import { engineRuntimeFacts } from "../engine/runtime-facts.js";
import { LABEL_KIND, LABEL_SESSION, runLabels, sessionId } from "./labels.js";
import { networkRoutedHere } from "./routes.js";
import { collectGarbage } from "./gc.js";
import { errorText } from "../util/errors.js";
import { onCleanup } from "../util/cleanup.js";
import { composeDir } from "../util/paths.js";
import type { Progress } from "../util/progress.js";
import { sleep } from "../util/time.js";

/** The reaper's port inside its container (compose/reaper/pgchaos-reaper.py). */
export const REAPER_PORT = 7878;
export const REAPER_KIND = "reaper";
/** How long the reaper waits for the harness to reconnect before removing the session. */
const GRACE_S = 1;
const CONNECT_TIMEOUT_MS = 30_000;
const SCRIPT = path.join(composeDir, "reaper", "pgchaos-reaper.py");
/** host:port of the session's reaper, inherited by the processes a session spawns. */
const ADDRESS_ENV = "PGCHAOS_REAPER_ADDRESS";

export interface Reaper {
  /** The reaper's container, when this process started it. */
  containerId?: string;
  /** Lets go of the reaper: removes it when this process started it (after the labs' own teardown). Safe to call more than once. */
  stop(): Promise<void>;
}

let joined: Promise<Reaper | undefined> | undefined;

/**
 * Joins this process tree's reaper, starting it when no ancestor did: a container from the lab
 * image that removes every container and network of the session (LABEL_SESSION) within seconds
 * of the session's last process going away, SIGKILL included (testcontainers' Ryuk does the same,
 * but it cannot be pulled without a registry). Each process keeps a TCP connection to it open;
 * the kernel closes it when the process dies, however it dies.
 *
 * One reaper a session, not one a lab: a lab's reaper was a seventh container started and removed
 * with every lab, with its Python start and, where ports are published, a docker-proxy. A game day
 * or an exploration starts it once, before its first lab, and the processes it runs labs in join it
 * (they inherit its address); a lab of a process whose parent is alive but which died itself is
 * removed by the next lab's collection (gc.ts: its owner process is gone).
 *
 * Set PGCHAOS_REAPER=0 to keep the containers of a killed run (for a post-mortem; `pgchaos gc`
 * removes them later).
 */
export function joinSessionReaper(docker: Dockerode, image: string, progress: Progress): Promise<Reaper | undefined> {
  if (process.env.PGCHAOS_REAPER === "0") return Promise.resolve(undefined);
  joined ??= (async () => {
    const inherited = process.env[ADDRESS_ENV];
    const reaper = inherited ? await joinInherited(inherited, progress) : await startReaper(docker, image, progress);
    // Last of all cleanups: after every lab of this process is gone.
    onCleanup("let go of the session's reaper", () => reaper.stop(), { last: true });
    return reaper;
  })().catch((e: unknown) => {
    // A safety net: one that cannot start is a warning, not a failed run; the next lab tries again.
    joined = undefined;
    progress(`warning: ${errorText(e)}; if pgchaos is killed, \`pgchaos gc\` removes its containers`);
    return undefined;
  });
  return joined;
}

async function joinInherited(address: string, progress: Progress): Promise<Reaper> {
  const [host, port] = splitAddress(address);
  const hold = await holdConnection(host, port, sessionId(), progress);
  return { stop: async () => hold.release() };
}

async function startReaper(docker: Dockerode, image: string, progress: Progress): Promise<Reaper> {
  const session = sessionId();
  const runtime = await engineRuntimeFacts();
  // On the engine's default bridge: reached at its own address when this machine routes there.
  const direct = await networkRoutedHere(docker.getNetwork("bridge"));
  const container = await docker.createContainer({
    name: `pgchaos-${session}-reaper`,
    Image: image,
    // The script travels with pgchaos, not in the image: any image with python3 can run it.
    Entrypoint: ["/usr/bin/tini", "--", "python3", "-u", "-c", readFileSync(SCRIPT, "utf8"), `${LABEL_SESSION}=${session}`],
    Env: [`PGCHAOS_REAPER_PORT=${REAPER_PORT}`, `PGCHAOS_REAPER_GRACE_S=${GRACE_S}`],
    // A run label of its own, so that `pgchaos gc` removes a reaper whose owner is gone too.
    Labels: { ...runLabels(`session-${session}`), [LABEL_KIND]: REAPER_KIND },
    ExposedPorts: { [`${REAPER_PORT}/tcp`]: {} },
    HostConfig: {
      Binds: [`${runtime.remoteSocketPath}:/var/run/docker.sock`],
      ...(direct ? {} : { PortBindings: { [`${REAPER_PORT}/tcp`]: [{ HostPort: "" }] } }),
      // It talks to the engine through the socket only: no capabilities beyond Docker's defaults.
      CapDrop: ["ALL"],
    },
  });
  const remove = async () => {
    await container.remove({ force: true }).catch((e: unknown) => {
      if (!/no such container|404/i.test(errorText(e))) progress(`reaper: removing ${container.id.slice(0, 12)}: ${errorText(e)}`);
    });
  };
  let hold: Held;
  let address: string;
  try {
    await container.start();
    const info = await container.inspect();
    const [host, port] = direct
      ? [info.NetworkSettings.Networks?.bridge?.IPAddress ?? "", REAPER_PORT]
      : [runtime.host, Number(info.NetworkSettings.Ports?.[`${REAPER_PORT}/tcp`]?.[0]?.HostPort)];
    if (!host || !port) throw new Error(`the reaper's port ${REAPER_PORT} is ${direct ? "at no address" : "not published"}`);
    hold = await holdConnection(host, port, session, progress, async () => {
      const state = (await container.inspect()).State;
      if (state.Running) return undefined;
      const logs = (await container.logs({ stdout: true, stderr: true, tail: 5 })).toString("utf8").replace(/[\x00-\x08]/g, "").trim();
      return `the reaper exited (${state.ExitCode}): ${logs.slice(-500)}`;
    });
    address = `${host}:${port}`;
  } catch (e) {
    await remove();
    throw new Error(`starting the reaper: ${errorText(e)}`);
  }
  process.env[ADDRESS_ENV] = address;
  return {
    containerId: container.id,
    async stop() {
      hold.release();
      delete process.env[ADDRESS_ENV];
      // What it would have reaped had this process died instead: the labs of the session's
      // processes that died (their owners are gone), before the reaper itself goes.
      await collectGarbage(docker).catch(() => undefined);
      await remove();
    },
  };
}

interface Held {
  release(): void;
}

/**
 * A connection to the reaper, kept for this process's life: when it drops while the session goes
 * on (engine restart, network blip), reconnected within the grace period.
 */
async function holdConnection(host: string, port: number, session: string, progress: Progress, hopeless?: () => Promise<string | undefined>): Promise<Held> {
  let released = false;
  const connectOnce = () => connect(host, port, `${LABEL_SESSION}=${session}`);
  let socket = await retryUntil(connectOnce, CONNECT_TIMEOUT_MS, hopeless);
  const keep = (s: net.Socket) => {
    s.on("close", () => {
      if (released) return;
      void retryUntil(connectOnce, GRACE_S * 1000).then(
        (again) => {
          socket = again;
          keep(again);
        },
        (e: unknown) => progress(`reaper: lost the connection to the reaper (${errorText(e)}); this session's containers may be removed`),
      );
    });
  };
  keep(socket);
  return {
    release() {
      released = true;
      socket.destroy();
    },
  };
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

/** One connection, resolved once the reaper has greeted with its selector (so it is surely ours and listening). */
function connect(host: string, port: number, selector: string): Promise<net.Socket> {
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
      if (greeting.trim() === `pgchaos-reaper ${selector}`) resolve(s);
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
