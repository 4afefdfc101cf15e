import { hostname } from "node:os";

/** Every container and network a run creates carries these labels, so `gc` can find leftovers. */
export const LABEL_RUN = "pgchaos.run";
export const LABEL_OWNER_PID = "pgchaos.owner-pid";
export const LABEL_OWNER_HOST = "pgchaos.owner-host";
export const LABEL_NODE = "pgchaos.node";
export const LABEL_KIND = "pgchaos.kind";

export function runLabels(runId: string): Record<string, string> {
  return {
    [LABEL_RUN]: runId,
    [LABEL_OWNER_PID]: String(process.pid),
    [LABEL_OWNER_HOST]: hostname(),
  };
}
