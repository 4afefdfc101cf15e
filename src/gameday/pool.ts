/** How many units may run at once: a fixed number, or one that changes as units end (jobs.ts). */
export type PoolLimit = number | { max: number; current(): number };

/**
 * Runs `work` on up to `limit` units at a time, pulling units from `next` until it returns
 * undefined or `signal` aborts. A plain worker loop rather than a queue library: units are
 * produced lazily (a time box, until-fail), which fixed-list helpers such as p-limit do not
 * model, and the limit can move while the pool runs (learnt from the units that ended). `work`
 * must not throw for an ordinary failed run; if it does throw, the other workers finish their
 * current unit and take no new one, and the first error is rethrown.
 */
export async function runPool<T>(
  limit: PoolLimit,
  next: () => T | undefined,
  work: (unit: T, slot: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const max = typeof limit === "number" ? limit : limit.max;
  const current = typeof limit === "number" ? () => limit : () => Math.max(1, Math.min(limit.max, limit.current()));
  let failure: { e: unknown } | undefined;
  let active = 0;
  const waiting: (() => void)[] = [];
  const wakeAll = () => waiting.splice(0).forEach((w) => w());
  const worker = async (slot: number) => {
    while (!signal?.aborted && !failure) {
      // Slots above the current limit wait until a unit ends (the limit may have risen).
      while (slot >= current() && active > 0 && !failure) await new Promise<void>((r) => waiting.push(r));
      if (signal?.aborted || failure) return;
      const unit = next();
      if (unit === undefined) return wakeAll();
      active++;
      try {
        await work(unit, slot);
      } catch (e) {
        failure ??= { e };
      } finally {
        active--;
        wakeAll();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, max) }, (_, i) => worker(i)));
  if (failure) throw failure.e;
}
