import type { Fault, FaultContext, FaultEffect } from "../faults/fault.js";
import type { History } from "../history/history.js";
import { errorText } from "../util/errors.js";
import { sleep } from "../util/time.js";
import { formatDuration } from "../scenario/units.js";

/** How long and how often a target's heal is retried. */
export interface HealRetry {
  /** Give up on a target this long after its first attempt. */
  deadlineMs: number;
  /** Wait before the second attempt; doubled after every failed attempt up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const HEAL_RETRY: HealRetry = { deadlineMs: 60_000, firstDelayMs: 500, maxDelayMs: 8_000 };

/** A target on which a fault could not be healed: what is still injected and how to remove it by hand. */
export interface StillInjected {
  id: string;
  fault: string;
  target: string;
  error: string;
  attempts: number;
  /** Shell commands that remove it, when the fault kind knows them. */
  manual?: string;
}

interface Active {
  id: string;
  fault: Fault;
  state: "active" | "healing" | "healed" | "stuck";
  timer?: NodeJS.Timeout;
  healing?: Promise<void>;
  stuck: StillInjected[];
}

/** Heal of a fault that never succeeded on some target, within the retry deadline. */
export class HealFailed extends Error {
  constructor(readonly still: StillInjected[]) {
    super(still.map(stillInjectedText).join("; "));
  }
}

/** "fault cut (partition) is still injected on pg1 after 7 heal attempts (exec failed); remove it by hand: ..." */
export function stillInjectedText(s: StillInjected): string {
  return (
    `fault ${s.id} (${s.fault}) is still injected on ${s.target} after ${s.attempts} heal attempt${s.attempts === 1 ? "" : "s"} (${s.error}); ` +
    `remove it by hand: ${s.manual ? `${s.manual}, or ` : ""}remove the whole lab with \`pgchaos gc\``
  );
}

/** The run's error and findings when some heal never succeeded: the run's outcome is `error`. */
export function healFailure(still: readonly StillInjected[]): { error: string; findings: string[] } | undefined {
  if (!still.length) return undefined;
  return { error: `healing failed: ${still.map(stillInjectedText).join("; ")}`, findings: still.map((s) => `heal never succeeded: ${stillInjectedText(s)}`) };
}

/**
 * The time a fault event is stamped with: the moment the fault reported it took effect, kept
 * within the call that reported it ([start, end]: it cannot have acted before it was called,
 * nor after it returned), else `end`, when the call returned.
 */
export function effectTime(result: void | FaultEffect, start: number, end: number): number {
  const at = result && typeof result === "object" ? result.effectiveAt : undefined;
  if (typeof at !== "number" || !Number.isFinite(at)) return end;
  return Math.min(end, Math.max(start, at));
}

/**
 * The runner's ledger of injected faults. Every injected fault is healed once: by a heal step,
 * by its duration running out, or by `healAll` in the runner's finally block (errors,
 * interrupts). Heal goes target by target, past a target that fails; failed targets are
 * retried with backoff until healed or `retry.deadlineMs` passed, each failed attempt a note on
 * the timeline. Each inject and heal is a fault event on the timeline, at the moment the fault
 * took effect or was gone from its last target when the fault reports it (FaultEffect), with
 * the moment the call returned as `tEnd`.
 */
export class ActiveFaults {
  private readonly faults = new Map<string, Active>();
  constructor(
    private readonly ctx: FaultContext,
    private readonly history: History,
    private readonly retry: HealRetry = HEAL_RETRY,
    /** The container a target runs in, for the hand-removal text. */
    private readonly containerOf: (target: string) => string = (t) => t,
  ) {}

  async inject(id: string, fault: Fault, params: Record<string, unknown>, durationMs?: number): Promise<void> {
    const entry: Active = { id, fault, state: "active", stuck: [] };
    // Registered before inject: a partial inject is still healed.
    this.faults.set(id, entry);
    const start = this.ctx.now();
    try {
      const effect = await fault.inject(this.ctx);
      const end = this.ctx.now();
      const t = effectTime(effect, start, end);
      this.history.append({ kind: "fault", t, ...(t < end ? { tEnd: end } : {}), id, fault: fault.type, phase: "inject", targets: [...fault.targets], ok: true, params });
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
    const start = this.ctx.now();
    const effect = await e.fault.update(this.ctx, params);
    this.history.append({ kind: "note", t: effectTime(effect, start, this.ctx.now()), text: `fault ${id} (${e.fault.type}) updated live: ${JSON.stringify(params)}` });
  }

  /** Heals every target of the fault (retrying failed ones); rejects with HealFailed when some target stays unhealed. */
  heal(id: string): Promise<void> {
    const e = this.faults.get(id);
    if (!e) return Promise.reject(new Error(`no fault '${id}' was injected`));
    if (e.state === "stuck") return Promise.reject(new HealFailed(e.stuck));
    if (e.state !== "active") return e.healing ?? Promise.resolve();
    e.state = "healing";
    clearTimeout(e.timer);
    e.healing = (async () => {
      const { stuck, healedAt } = await this.healTargets(e);
      const targets = [...e.fault.targets];
      if (stuck.length) {
        e.state = "stuck";
        e.stuck = stuck;
        const err = new HealFailed(stuck);
        this.history.append({ kind: "fault", t: this.ctx.now(), id, fault: e.fault.type, phase: "heal", targets, ok: false, error: err.message });
        throw err;
      }
      e.state = "healed";
      // Healed when the last target's heal took effect.
      const end = this.ctx.now();
      const t = healedAt.length ? Math.min(end, Math.max(...healedAt)) : end;
      this.history.append({ kind: "fault", t, ...(t < end ? { tEnd: end } : {}), id, fault: e.fault.type, phase: "heal", targets, ok: true });
    })();
    return e.healing;
  }

  /**
   * One pass over every target, then rounds over the failed ones with backoff until the
   * deadline. Returns the targets still injected and, per healed target, when its heal took effect.
   */
  private async healTargets(e: Active): Promise<{ stuck: StillInjected[]; healedAt: number[] }> {
    const healedAt: number[] = [];
    const start = this.ctx.now();
    const attempts = new Map<string, number>();
    const lastError = new Map<string, string>();
    let pending = [...e.fault.targets];
    let delay = this.retry.firstDelayMs;
    for (;;) {
      const failed: string[] = [];
      for (const target of pending) {
        const n = (attempts.get(target) ?? 0) + 1;
        attempts.set(target, n);
        try {
          const before = this.ctx.now();
          const effect = await e.fault.heal(this.ctx, target);
          healedAt.push(effectTime(effect, before, this.ctx.now()));
          if (n > 1) this.note(`fault ${e.id} (${e.fault.type}): ${target} healed at attempt ${n}`, "info");
        } catch (err) {
          failed.push(target);
          lastError.set(target, errorText(err));
          this.note(`fault ${e.id} (${e.fault.type}): heal of ${target} failed (attempt ${n}): ${errorText(err)}`, "warn");
        }
      }
      pending = failed;
      if (!pending.length) return { stuck: [], healedAt };
      const left = start + this.retry.deadlineMs - this.ctx.now();
      if (left <= 0) break;
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
    }
    const still = pending.map(
      (target): StillInjected => ({
        id: e.id,
        fault: e.fault.type,
        target,
        error: lastError.get(target) ?? "",
        attempts: attempts.get(target) ?? 0,
        manual: e.fault.manualHeal?.(target, this.containerOf(target)),
      }),
    );
    for (const s of still) this.note(`${stillInjectedText(s)} (gave up after ${formatDuration(this.retry.deadlineMs)})`, "error");
    return { stuck: still, healedAt };
  }

  private note(text: string, level: "info" | "warn" | "error") {
    this.history.append({ kind: "note", t: this.ctx.now(), text, level });
  }

  /** Heal every fault not healed yet, newest first; returns what is still injected (never throws). */
  async healAll(): Promise<StillInjected[]> {
    const still: StillInjected[] = [];
    for (const e of [...this.faults.values()].reverse()) {
      if (e.state === "healed") continue;
      await this.heal(e.id).catch((err: unknown) => {
        if (err instanceof HealFailed) still.push(...err.still);
        else still.push({ id: e.id, fault: e.fault.type, target: e.fault.targets.join(", "), error: errorText(err), attempts: 0 });
      });
    }
    return still;
  }

  /** Everything whose heal gave up, so far. */
  stillInjected(): StillInjected[] {
    return [...this.faults.values()].flatMap((e) => e.stuck);
  }
}
