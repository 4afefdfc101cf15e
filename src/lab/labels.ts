import { hostname } from "node:os";
import { newRunId } from "./run-id.js";

/** Every container and network a run creates carries these labels, so `gc` can find leftovers. */
export const LABEL_RUN = "pgchaos.run";
export const LABEL_OWNER_PID = "pgchaos.owner-pid";
export const LABEL_OWNER_HOST = "pgchaos.owner-host";
export const LABEL_NODE = "pgchaos.node";
export const LABEL_KIND = "pgchaos.kind";
/** The pgchaos process tree (a game day or an exploration and the processes it runs labs in): one reaper watches it all. */
export const LABEL_SESSION = "pgchaos.session";

/** How a session reaches the processes it spawns: they inherit the environment. */
const SESSION_ENV = "PGCHAOS_SESSION";

/** This process tree's session id: the one inherited from the process that spawned this one, else a new one. */
export function sessionId(): string {
  return (process.env[SESSION_ENV] ??= newRunId());
}

export function runLabels(runId: string): Record<string, string> {
  return {
    [LABEL_RUN]: runId,
    [LABEL_SESSION]: sessionId(),
    [LABEL_OWNER_PID]: String(process.pid),
    [LABEL_OWNER_HOST]: hostname(),
  };
}
