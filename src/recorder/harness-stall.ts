/**
 * The harness's own stalls. When pgchaos's process does not run (its event loop blocked, or the
 * machine's CPUs busy with other labs), a probe's timeout timer fires as soon as it runs again,
 * before the reply that may be waiting in the socket is read: the probe "times out" although
 * the node answered. A failed sample whose window overlaps such a stall says nothing about the
 * cluster, so the recorder records it as unknown instead of as the node being down.
 *
 * A timer due every `tickMs` measures how late it fires; a tick later than `minStallMs` marks
 * the time in between as a stall. Any such stall while a failed probe was in flight makes the
 * sample unknown: once the process runs again, timers are served before sockets are read, so
 * a stall across the probe's deadline turns a reply that had arrived into a timeout.
 */
export class HarnessStallMonitor {
  private readonly stalls: { from: number; to: number }[] = [];
  private last: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly clock: () => number = () => performance.now(),
    readonly tickMs = 50,
    readonly minStallMs = 100,
    /** How long stalls are remembered (only samples in flight need them). */
    private readonly keepMs = 60_000,
  ) {
    this.last = clock();
  }

  start(): void {
    if (this.timer) return;
    this.last = this.clock();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One tick of the timer (public for tests, which drive the clock themselves). */
  tick(now = this.clock()): void {
    const late = now - this.last - this.tickMs;
    if (late >= this.minStallMs) this.stalls.push({ from: this.last + this.tickMs, to: now });
    this.last = now;
    while (this.stalls.length && this.stalls[0].to < now - this.keepMs) this.stalls.shift();
  }

  /**
   * The longest stall overlapping [from, to] (clock ms), counting one still going on: the tick
   * now overdue, which a probe's timeout callback can run before.
   */
  stalledMs(from: number, to: number): number {
    const ongoing = to - this.last - this.tickMs;
    let longest = ongoing >= this.minStallMs ? Math.min(ongoing, to - from) : 0;
    for (const s of this.stalls) {
      const overlap = Math.min(s.to, to) - Math.max(s.from, from);
      if (overlap > longest) longest = overlap;
    }
    return Math.max(0, longest);
  }
}
