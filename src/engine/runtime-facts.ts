/**
 * What testcontainers decides about the engine pgchaos found (engine/docker-engine.ts exports
 * it as DOCKER_HOST): the host where published ports listen (localhost for a local engine, the
 * engine's address for a remote one, the gateway when pgchaos itself runs in a container) and the
 * engine's socket as a container on that engine mounts it (Docker Desktop's differs from the
 * client's). testcontainers knows these cases; pgchaos asks it once per process tree.
 *
 * Once: importing testcontainers and its runtime client's first answer cost about 0.5
 * core-second, paid by every process that runs a lab (a game day runs each lab in a process of
 * its own). The first process to ask passes the answer on in its environment, which the
 * processes it spawns inherit.
 */
export interface EngineRuntimeFacts {
  host: string;
  remoteSocketPath: string;
}

const ENV = "PGCHAOS_ENGINE_RUNTIME";

let asked: Promise<EngineRuntimeFacts> | undefined;

export function engineRuntimeFacts(): Promise<EngineRuntimeFacts> {
  const inherited = fromEnv(process.env[ENV]);
  if (inherited) return Promise.resolve(inherited);
  asked ??= (async () => {
    const { getContainerRuntimeClient } = await import("testcontainers");
    const r = (await getContainerRuntimeClient()).info.containerRuntime;
    const facts = { host: r.host, remoteSocketPath: r.remoteSocketPath };
    process.env[ENV] = JSON.stringify(facts);
    return facts;
  })().catch((e: unknown) => {
    asked = undefined;
    throw e;
  });
  return asked;
}

/** The facts an ancestor process passed on, when they are well formed. */
export function fromEnv(text: string | undefined): EngineRuntimeFacts | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as Partial<EngineRuntimeFacts>;
    return typeof v.host === "string" && v.host && typeof v.remoteSocketPath === "string" && v.remoteSocketPath ? { host: v.host, remoteSocketPath: v.remoteSocketPath } : undefined;
  } catch {
    return undefined;
  }
}
