/** A tick of the watch this late, or an attempt timer this late, is a stall of the caller's own event loop, ms. */
export const CALLER_STALL_MS = 20;
/** How often the watch ticks while a client is open, ms. */
const TICK_MS = 10;
/** Weight of the newest tick in {@link CallerStallWatch.lagMs}. */
const LAG_WEIGHT = 0.1;

/**
 * Watches the caller's own event loop: a long GC pause, a large synchronous `JSON.parse`, a CPU the process
 * does not get. While the loop is blocked nothing is read from the sockets, so answers that arrived wait, the
 * attempts' timers fire late and every latency measured across the stall includes it: none of that is the
 * instance's doing. An unref'd timer ticks every 10 ms while a client is open; a tick at least 20 ms late
 * (or an attempt's timer as late) marks a stall, and `stalledMs` adds up their lengths. An attempt reads it
 * when it starts and when it ends (`attempt.ts`): the difference is how long the caller stalled during it.
 *
 * One watch per process: the event loop is the process's.
 */
class CallerStallWatch {
  /** `performance.now()` when the latest stall ended (-Infinity: none yet), and how long it lasted, ms. */
  lastStallEndedAt = -Infinity;
  lastStallMs = 0;
  /** Stalls seen since the process started, and their total length, ms (a clock that only runs during stalls). */
  stalls = 0;
  stalledMs = 0;
  /**
   * How late the loop answers a timer these days, ms (an average of every tick's lateness, weight 0.1): the
   * delay any answer may wait before the caller reads it, even without a stall.
   */
  lagMs = 0;
  private users = 0;
  private timer: NodeJS.Timeout | undefined = undefined;
  private lastTick = 0;

  /** A client opens: the watch runs while any is open. */
  retain(): void {
    if (this.users++ > 0) return;
    this.lastTick = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  release(): void {
    if (this.users === 0 || --this.users > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The loop was blocked from `from` to `to` (`performance.now()`): an attempt timer saw it. */
  note(from: number, to: number): void {
    if (to <= this.lastStallEndedAt) return;
    this.stalls++;
    const ms = to - Math.max(from, this.lastStallEndedAt);
    this.stalledMs += ms;
    // a stall that an attempt timer saw first and the tick saw to its end is one stall
    this.lastStallMs = from < this.lastStallEndedAt ? this.lastStallMs + ms : ms;
    this.lastStallEndedAt = to;
  }

  /**
   * Code that runs right after a stall, before the watch's own overdue tick (timers fire in order of their due
   * time, so a burst of calls the stall held back may come first), asks here: a tick overdue by
   * {@link CALLER_STALL_MS} or more at `now` is a stall that ended now, noted at once. The tick, when it comes,
   * extends the same stall rather than counting another.
   */
  catchUp(now: number): void {
    if (this.timer === undefined) return;
    const from = this.lastTick + TICK_MS;
    if (now - from >= CALLER_STALL_MS) this.note(from, now);
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.lastTick - TICK_MS;
    this.lastTick = now;
    this.lagMs += LAG_WEIGHT * (Math.max(0, late) - this.lagMs);
    if (late >= CALLER_STALL_MS) this.note(now - late, now);
  }
}

export const callerStalls = new CallerStallWatch();
