/** Answers the hedge delay is taken from: the most recent this many. */
export const HEDGE_DELAY_WINDOW = 256;
/** No hedge before this many answers: a 95th percentile of fewer says little. */
export const HEDGE_DELAY_MIN_SAMPLES = 20;
/** The percentile is worked out again after this many new answers (a sort of the window), not on every call. */
const RECOMPUTE_EVERY = 16;

/**
 * The hedge delay of one service: a percentile of its recent answered latencies (Google's "The Tail at Scale":
 * the 95th; Finagle's `BackupRequestFilter` keeps a windowed histogram of the same). A ring of the last
 * {@link HEDGE_DELAY_WINDOW} answers' durations (ms); {@link delayMs} is the percentile, no shorter than
 * `minDelayMs`, or undefined before {@link HEDGE_DELAY_MIN_SAMPLES} answers (then nothing is hedged). The
 * percentile is recomputed every {@link RECOMPUTE_EVERY} answers, so reading it costs a field.
 */
export class HedgeDelay {
  /** The hedge delay now, ms, or undefined while there are too few answers. */
  delayMs: number | undefined = undefined;
  private readonly samples = new Float64Array(HEDGE_DELAY_WINDOW);
  private readonly sorted = new Float64Array(HEDGE_DELAY_WINDOW);
  private count = 0;
  private next = 0;
  private sinceComputed = 0;

  constructor(
    /** From 1 to 99.9. */
    private readonly percentile: number,
    private readonly minDelayMs: number,
  ) {}

  /** An attempt answered (2xx-4xx) after `durationMs`. */
  record(durationMs: number): void {
    this.samples[this.next] = durationMs;
    this.next = (this.next + 1) % HEDGE_DELAY_WINDOW;
    if (this.count < HEDGE_DELAY_WINDOW) this.count++;
    if (++this.sinceComputed >= RECOMPUTE_EVERY || this.count === HEDGE_DELAY_MIN_SAMPLES) this.compute();
  }

  /** Answers recorded, up to the window. */
  get samplesKept(): number {
    return this.count;
  }

  private compute(): void {
    this.sinceComputed = 0;
    const n = this.count;
    if (n < HEDGE_DELAY_MIN_SAMPLES) return;
    const sorted = this.sorted.subarray(0, n);
    sorted.set(this.samples.subarray(0, n));
    sorted.sort();
    // nearest rank: the smallest sample with at least `percentile` % of the samples at or below it
    const rank = Math.min(n, Math.max(1, Math.ceil((this.percentile / 100) * n)));
    this.delayMs = Math.max(this.minDelayMs, sorted[rank - 1]!);
  }
}
