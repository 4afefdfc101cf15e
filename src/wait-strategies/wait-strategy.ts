import type { Lab } from "../lab/lab-api.js";

/** One readiness condition of a lab; `waitUntilReady` resolves when it holds or throws at the deadline. */
export interface LabWaitStrategy {
  readonly name: string;
  waitUntilReady(lab: Lab, timeoutMs: number, signal?: AbortSignal): Promise<void>;
}
