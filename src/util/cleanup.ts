/**
 * Process-wide cleanup registry: what must happen however the process ends (normal end, a
 * thrown error, SIGINT/SIGTERM). Handlers run newest first (heal faults before removing
 * containers), each at most once. A second Ctrl-C while cleaning up is ignored with a note;
 * `pgchaos gc` is the fallback for SIGKILL.
 */
type Handler = () => Promise<void>;

const handlers: { name: string; fn: Handler }[] = [];
let installed = false;
const ours: [NodeJS.Signals, () => void][] = [];
let cleaning: Promise<void> | undefined;
let interruptCount = 0;
const abort = new AbortController();

/** Aborted on SIGINT/SIGTERM: long waits in the runner listen to it. */
export const interruptSignal: AbortSignal = abort.signal;

/** `last`: runs after every other handler, whenever it was registered (what the others need while they run). */
export function onCleanup(name: string, fn: Handler, opts: { last?: boolean } = {}): () => void {
  installSignalHandlers();
  const h = { name, fn };
  if (opts.last) handlers.unshift(h);
  else handlers.push(h);
  return () => {
    const i = handlers.indexOf(h);
    if (i >= 0) handlers.splice(i, 1);
  };
}

export function runCleanup(log: (s: string) => void = (s) => process.stderr.write(`pgchaos: ${s}\n`)): Promise<void> {
  cleaning ??= (async () => {
    while (handlers.length) {
      const h = handlers.pop()!;
      try {
        await h.fn();
      } catch (e) {
        log(`cleanup '${h.name}' failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  })().finally(() => {
    cleaning = undefined;
  });
  return cleaning;
}

function installSignalHandlers() {
  if (installed) return;
  installed = true;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = () => {
      if (!handlers.length && !cleaning) {
        // Nothing of ours to clean up: behave as if we had never listened (re-raise for the
        // default action, unless someone else handles the signal).
        for (const [s, l] of ours) process.off(s, l);
        ours.length = 0;
        installed = false;
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
        return;
      }
      interruptCount++;
      if (interruptCount > 1) {
        process.stderr.write(`pgchaos: ${sig} again: still healing faults and removing containers, please wait\n`);
        return;
      }
      process.stderr.write(`pgchaos: ${sig}: healing faults and removing containers ...\n`);
      abort.abort(new InterruptedError(sig));
      // The owner of the run normally finishes cleanup and exits; this is the fallback.
      setTimeout(() => {
        void runCleanup().finally(() => process.exit(130));
      }, 15_000).unref();
    };
    process.on(sig, onSignal);
    ours.push([sig, onSignal]);
  }
}

export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}`);
    this.name = "InterruptedError";
  }
}
