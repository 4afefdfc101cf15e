import type { History } from "../history/history.js";
import type { Lab } from "../lab/lab-api.js";
import { patroniRest, pgTarget } from "../lab/lab-clients.js";
import { KeptPgConnection } from "../clients/kept-pg.js";
import { errorText } from "../util/errors.js";
import type { HarnessStallMonitor } from "../recorder/harness-stall.js";
import type { ProbeRequest } from "../conditions/registry.js";

/**
 * Runs the probes an expect step's conditions ask for (a query on a node, a GET on its REST
 * API) and records each answer as a `probe` event; conditions then judge the record.
 *
 * One kept connection per node (kept-pg.ts), as the node sampler keeps one: a probe every
 * 200 ms on a new connection made PostgreSQL fork and authenticate five backends a second, and
 * with two labs on 2 cores a connect alone sometimes took longer than its 1.5 s budget
 * ("timeout expired"), which broke `for:` windows that nothing in the cluster had broken.
 *
 * A failed probe while pgchaos itself stalled (harness-stall.ts) is recorded as unknown: its
 * timeout may have fired before a reply that had arrived was read. Conditions skip it.
 */
export class ProbeRunner {
  private readonly conns = new Map<string, KeptPgConnection>();

  constructor(
    private readonly lab: Lab,
    private readonly history: History,
    private readonly now: () => number,
    private readonly stalls?: HarnessStallMonitor,
  ) {}

  async run(p: ProbeRequest): Promise<void> {
    const t = this.now();
    const t0 = performance.now();
    try {
      if (p.kind === "rest") {
        const r = await patroniRest(this.lab, p.node).get(p.what, 1500);
        this.history.append({ kind: "probe", t, key: p.key, node: p.node, ok: r.status < 400, status: r.status, value: r.body ?? r.text });
      } else {
        const r = await this.query(p.node, p.what);
        this.history.append({ kind: "probe", t, key: p.key, node: p.node, ok: true, value: r.rows[0]?.[0] ?? null });
      }
    } catch (e) {
      const stallMs = this.stalls?.stalledMs(t0, performance.now()) ?? 0;
      this.history.append({
        kind: "probe",
        t,
        key: p.key,
        node: p.node,
        ok: false,
        error: errorText(e).slice(0, 200),
        ...(stallMs > 0 ? { unknown: true, stallMs: Math.round(stallMs) } : {}),
      });
    }
  }

  private query(node: string, text: string) {
    let c = this.conns.get(node);
    if (!c) {
      c = new KeptPgConnection(() => pgTarget(this.lab, node), { queryTimeoutMs: 3000 });
      this.conns.set(node, c);
    }
    return c.queryArray(text, 1500);
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}
