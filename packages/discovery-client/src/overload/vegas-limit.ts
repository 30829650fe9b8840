/** Settings of one {@link VegasLimit} (see `concurrency-limit-options.ts` for the defaults and their sources). */
export interface VegasLimitSettings {
  /** Limit before the first measurement, attempts in flight. */
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** How long the no-load latency is remembered, ms (two half windows): it may rise after this long. */
  readonly minRttWindowMs: number;
}

/** Answers a round needs before it moves the limit. */
const ROUND_SAMPLES = 3;
/** Queue lengths, in units of log10(limit), below which the limit grows and above which it shrinks. */
const ALPHA = 2;
const BETA = 4;

/**
 * A concurrency limit for one instance that follows its measured latency: TCP Vegas, as Netflix's
 * `concurrency-limits` applies it to requests (`VegasLimit`). The requests queued at the instance are
 * estimated as `queue = limit × (1 − noLoadLatency / latency)`, once per round trip (as TCP Vegas does, not
 * per answer: a new limit shows in answers only one round trip later). A round ends at the third answer to an
 * attempt sent after the previous round ended; its latency is the smallest of those (the "standing" latency,
 * as Copa measures queueing: a service with fast and slow routes still reads queueing, not its slowest route).
 * With `log = max(1, log10(limit))`:
 *
 * - `queue > 4 log`: the limit drops to the attempts the instance serves without queueing plus `2 log`
 *   (`limit × noLoadLatency / latency + 2 log`), in one round;
 * - `queue < 2 log`: it grows: doubling until the first sign of queueing or the first round the caller did not
 *   need the limit (TCP's slow start), then `+ log`;
 * - between the two: unchanged (concurrency-limits uses 3 and 6; tighter here, a client's latency target);
 * - a timed-out attempt (a drop): `− log`.
 *
 * It does not grow while fewer than half the limit's attempts are in flight (the caller, not the instance,
 * limits the rate: concurrency-limits' "app-limited" rule); then a limit above `initialLimit` falls back to
 * twice the attempts in flight, so that a surge after a quiet spell meets a limit near the demand it followed
 * rather than one a burst long ago raised. The thresholds are queue lengths, so a small limit
 * is not shrunk by latency noise (the caller's own CPU, the network) that a large one would read as queueing.
 *
 * The no-load latency is the smallest latency of the last `minRttWindowMs` (two half windows), so it can rise
 * when the instance itself became slower; an overload that lasts longer than that moves it up with the queue.
 */
export class VegasLimit {
  private limit: number;
  private probing = true;
  private minRtt = Infinity;
  private previousMinRtt = Infinity;
  private minRttBucketStart: number;
  /** When the current round started (`performance.now()`): answers to attempts sent before it are stale. */
  private roundStart: number;
  private roundMinRtt = Infinity;
  private roundSamples = 0;
  private roundPeakInFlight = 0;

  constructor(
    private readonly settings: VegasLimitSettings,
    now: number,
  ) {
    this.limit = settings.initialLimit;
    this.minRttBucketStart = now;
    this.roundStart = now;
  }

  /** The limit in force: attempts that may be in flight on the instance. */
  get current(): number {
    return Math.floor(this.limit);
  }

  /** The instance's no-load latency as measured, ms (Infinity before the first answer). */
  get noLoadLatencyMs(): number {
    return Math.min(this.minRtt, this.previousMinRtt);
  }

  /**
   * An attempt sent at `startedAt` was answered after `rttMs` (both `performance.now()` ms); `inFlight` attempts
   * were in flight on the instance then, itself included; `callerLagMs`: how late the caller's own event loop
   * typically reads an answer now (twice that above the no-load latency is not read as a queue).
   */
  onAnswer(startedAt: number, rttMs: number, inFlight: number, callerLagMs = 0): void {
    const now = startedAt + rttMs;
    if (now - this.minRttBucketStart >= this.settings.minRttWindowMs / 2) {
      this.previousMinRtt = this.minRtt;
      this.minRtt = Infinity;
      this.minRttBucketStart = now;
    }
    if (rttMs < this.minRtt) this.minRtt = rttMs;
    if (startedAt < this.roundStart) return;
    if (rttMs < this.roundMinRtt) this.roundMinRtt = rttMs;
    if (inFlight > this.roundPeakInFlight) this.roundPeakInFlight = inFlight;
    if (++this.roundSamples < ROUND_SAMPLES) return;
    this.update(callerLagMs);
    this.roundStart = now;
    this.roundMinRtt = Infinity;
    this.roundSamples = 0;
    this.roundPeakInFlight = 0;
  }

  /** An attempt timed out: a drop. */
  onDrop(): void {
    this.probing = false;
    this.set(this.limit - Math.max(1, Math.log10(this.limit)));
  }

  private update(callerLagMs: number): void {
    const limit = this.limit;
    const log = Math.max(1, Math.log10(limit));
    // the caller's own loop delays every answer it reads: that much above the no-load latency is not a queue
    const served = Math.min(limit, (limit * (this.noLoadLatencyMs + 2 * callerLagMs)) / this.roundMinRtt);
    const queue = limit - served;
    if (queue > BETA * log) {
      this.probing = false;
      this.set(served + ALPHA * log);
    } else if (this.roundPeakInFlight * 2 < limit) {
      // app-limited: no growth, and a limit above twice the demand falls back towards it (never below the initial one);
      // the limit was enough for the demand, so its slow start is over (TCP: a slow start past its need ends, and a
      // surge after a quiet spell would otherwise double a limit whose round had not yet seen the queue it builds)
      this.probing = false;
      if (limit > this.settings.initialLimit) this.set(Math.max(this.settings.initialLimit, 2 * this.roundPeakInFlight));
    } else if (queue < ALPHA * log) {
      this.set(this.probing ? limit * 2 : limit + log);
    }
  }

  private set(limit: number): void {
    this.limit = Math.min(this.settings.maxLimit, Math.max(this.settings.minLimit, limit));
  }
}
