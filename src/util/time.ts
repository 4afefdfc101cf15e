export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** `p`, or an error "<what> within <ms/1000> s" when it has not settled after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms))) as Promise<T>]).finally(() => clearTimeout(t));
}

/** Monotonic milliseconds (immune to wall-clock faults, which only live inside the lab anyway). */
export const monoMs = () => Number(process.hrtime.bigint() / 1000n) / 1000;

/** Poll `fn` until it returns a truthy value or `timeoutMs` passes; returns the value or throws. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false>,
  opts: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<T> {
  const deadline = monoMs() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (monoMs() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${(opts.timeoutMs / 1000).toFixed(0)} s waiting for ${what}${why}`);
    }
    await sleep(opts.intervalMs ?? 250, opts.signal);
  }
}

/** "2.6 s": a measured duration in seconds with one decimal (reports' figures; scenario durations print with scenario/units.formatDuration, "2.6s", which the loader reads back). */
export function formatDuration(ms: number): string {
  return `${(Math.round(ms / 100) / 10).toFixed(1)} s`;
}

/** "+12.3s": a time on the run's axis (ms since its origin) in seconds with one decimal; the one formatter for such times. */
export function formatT(ms: number): string {
  const r = Math.round(ms / 100) / 10;
  return `${r < 0 ? "-" : "+"}${Math.abs(r).toFixed(1)}s`;
}
