import type { Fault, FaultContext } from "../faults/fault.js";
import type { History } from "../history/history.js";
import { errorText } from "../util/errors.js";

interface Active {
  id: string;
  fault: Fault;
  state: "active" | "healing" | "healed";
  timer?: NodeJS.Timeout;
  healing?: Promise<void>;
}

/**
 * The runner's ledger of injected faults. Every injected fault is healed exactly once: by a
 * heal step, by its duration running out, or by `healAll` in the runner's finally block
 * (errors, interrupts). Each inject and heal is an event on the timeline.
 */
export class ActiveFaults {
  private readonly faults = new Map<string, Active>();
  constructor(
    private readonly ctx: FaultContext,
    private readonly history: History,
  ) {}

  async inject(id: string, fault: Fault, params: Record<string, unknown>, durationMs?: number): Promise<void> {
    const entry: Active = { id, fault, state: "active" };
    // Registered before inject: a partial inject is still healed.
    this.faults.set(id, entry);
    try {
      await fault.inject(this.ctx);
      this.history.append({ kind: "fault", t: this.ctx.now(), id, fault: fault.type, phase: "inject", targets: [...fault.targets], ok: true, params });
    } catch (e) {
      this.history.append({ kind: "fault", t: this.ctx.now(), id, fault: fault.type, phase: "inject", targets: [...fault.targets], ok: false, error: errorText(e), params });
      throw e;
    }
    if (durationMs !== undefined) {
      entry.timer = setTimeout(() => void this.heal(id).catch(() => {}), durationMs);
    }
  }

  isActive(id: string): boolean {
    return this.faults.get(id)?.state === "active";
  }

  has(id: string): boolean {
    return this.faults.has(id);
  }

  /** Change an active fault live (e.g. a new clock offset); recorded as a note on the timeline. */
  async update(id: string, params: Record<string, unknown>): Promise<void> {
    const e = this.faults.get(id);
    if (!e) throw new Error(`no fault '${id}' was injected`);
    if (e.state !== "active") throw new Error(`fault '${id}' is no longer active`);
    if (!e.fault.update) throw new Error(`fault '${id}' (${e.fault.type}) cannot be changed live`);
    await e.fault.update(this.ctx, params);
    this.history.append({ kind: "note", t: this.ctx.now(), text: `fault ${id} (${e.fault.type}) updated live: ${JSON.stringify(params)}` });
  }

  heal(id: string): Promise<void> {
    const e = this.faults.get(id);
    if (!e) return Promise.reject(new Error(`no fault '${id}' was injected`));
    if (e.state !== "active") return e.healing ?? Promise.resolve();
    e.state = "healing";
    clearTimeout(e.timer);
    e.healing = (async () => {
      try {
        await e.fault.heal(this.ctx);
        this.history.append({ kind: "fault", t: this.ctx.now(), id, fault: e.fault.type, phase: "heal", targets: [...e.fault.targets], ok: true });
      } catch (err) {
        this.history.append({ kind: "fault", t: this.ctx.now(), id, fault: e.fault.type, phase: "heal", targets: [...e.fault.targets], ok: false, error: errorText(err) });
        throw err;
      } finally {
        e.state = "healed";
      }
    })();
    return e.healing;
  }

  /** Heal every fault still active, newest first; returns the errors (never throws). */
  async healAll(): Promise<string[]> {
    const errors: string[] = [];
    for (const e of [...this.faults.values()].reverse()) {
      if (e.state === "healed") continue;
      await this.heal(e.id).catch((err: unknown) => errors.push(`${e.id}: ${errorText(err)}`));
    }
    return errors;
  }
}
