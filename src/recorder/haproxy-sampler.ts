import type { History } from "../history/history.js";
import type { HaproxySample } from "../history/events.js";
import type { Lab } from "../lab/lab-api.js";
import { readHaproxyRoutes } from "../lab/haproxy.js";
import { errorText } from "../util/errors.js";

/** How often HAProxy's statistics are read (its checks run every second). */
export const HAPROXY_SAMPLE_MS = 300;

/**
 * Samples which servers HAProxy routes to: its CSV statistics page, read through the mapped
 * port (no `docker exec`), one HaproxySample per poll. Never changes the cluster.
 */
export class HaproxySampler {
  constructor(
    private readonly lab: Lab,
    private readonly timeoutMs: number,
  ) {}

  async sample(now: () => number, history: History): Promise<void> {
    const t = now();
    let s: HaproxySample;
    try {
      const r = await readHaproxyRoutes(this.lab, this.timeoutMs);
      s = { kind: "haproxy", t, primary: r.primary, replicas: r.replicas };
      if (Object.keys(r.transitions).length) s.transitions = r.transitions;
    } catch (e) {
      s = { kind: "haproxy", t, primary: [], replicas: [], error: errorText(e).slice(0, 200) };
    }
    history.append(s);
  }
}
