/**
 * Runs `work` on up to `jobs` units at a time, pulling units from `next` until it returns
 * undefined or `signal` aborts. A plain worker loop rather than a queue library: units are
 * produced lazily (a time box, until-fail), which fixed-list helpers such as p-limit do not
 * model, and it is a dozen lines. `work` must not throw for an ordinary failed run; if it
 * does throw, the other workers finish their current unit and take no new one, and the first
 * error is rethrown.
 */
export async function runPool<T>(
  jobs: number,
  next: () => T | undefined,
  work: (unit: T, slot: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let failure: { e: unknown } | undefined;
  const worker = async (slot: number) => {
    while (!signal?.aborted && !failure) {
      const unit = next();
      if (unit === undefined) return;
      try {
        await work(unit, slot);
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, (_, i) => worker(i)));
  if (failure) throw failure.e;
}
