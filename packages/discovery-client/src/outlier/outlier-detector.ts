import type { AttemptOutcome } from '../attempt/outcome.js';
import type { EjectionReason, Endpoint } from '../endpoint/endpoint.js';
import type { ResolvedOutlierDetection } from '../options.js';

/**
 * Outlier detection beside opossum's error-percentage rule: ejects an instance (opens its breaker through
 * opossum's `open()`, so the usual `OPEN breaker on [...]` line and event follow) on
 *
 * - `consecutiveFailures` instance failures in a row (Envoy's `consecutive_5xx`, Finagle's failure accrual:
 *   both default to 5);
 * - a failure percentage of at least `failurePercentage.threshold` within a short window (Envoy's
 *   `failure_percentage`);
 * - a refused connection, at once (nothing listens there);
 * - a **stall**: the oldest attempt outstanding on the instance is older than
 *   `max(stall.floorMs, stall.multiplier × the service's typical latency)` while another instance has
 *   answered an attempt sent after it. "Typical" is the median of the instances' latency averages, so one
 *   slow or paused instance stands out against its peers; a pause of the caller's own event loop delays
 *   every answer alike and ejects nothing. A stalled instance's rescuable attempts are aborted at once and
 *   their calls go on elsewhere.
 *
 * Never more than `maxEjectionPercent` of the listed instances are ejected at once (rounded down, so a
 * service with one instance is never ejected by these rules): beyond that, failures are left to the
 * breaker's own rule, so a blip in the caller's own network cannot empty the pool (Envoy's
 * `max_ejection_percent`).
 */
export class OutlierDetector {
  private timer: NodeJS.Timeout | undefined;
  /** Endpoints that had attempts in flight at the last look: the stall check visits only these. */
  private readonly busy = new Set<Endpoint>();

  constructor(
    private readonly options: ResolvedOutlierDetection,
    /** The listed endpoints of the service. */
    private readonly endpoints: () => readonly Endpoint[],
  ) {}

  /** An attempt was sent to `endpoint`: make sure someone watches it for stalls. */
  attemptStarted(endpoint: Endpoint): void {
    if (!this.options.stall) return;
    this.busy.add(endpoint);
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.checkStalls(), this.options.stall.checkIntervalMs);
      this.timer.unref();
    }
  }

  /** An attempt ended with `outcome` at `now` (`performance.now()`). */
  attemptEnded(endpoint: Endpoint, outcome: AttemptOutcome, now: number): void {
    if (outcome.type === 'notSent') {
      if (outcome.reason === 'refused' && this.options.ejectOnRefused) this.eject(endpoint, 'refused');
      return;
    }
    if (outcome.type === 'rejected') return;
    const failed = outcome.type === 'instanceFailure';
    const window = this.options.failurePercentage;
    if (window) {
      if (now - endpoint.windowStartedAt > window.intervalMs) {
        endpoint.windowStartedAt = now;
        endpoint.windowAttempts = 0;
        endpoint.windowFailures = 0;
      }
      endpoint.windowAttempts++;
      if (failed) endpoint.windowFailures++;
    }
    if (!failed || outcome.reason === 'stall') return;
    endpoint.consecutiveFailures++;
    const limit = this.options.consecutiveFailures;
    if (limit > 0 && endpoint.consecutiveFailures >= limit) {
      this.eject(endpoint, 'consecutive-failures');
    } else if (
      window &&
      endpoint.windowAttempts >= window.requestVolume &&
      endpoint.windowFailures * 100 >= window.threshold * endpoint.windowAttempts
    ) {
      this.eject(endpoint, 'failure-percentage');
    }
  }

  /** Threshold above which an outstanding attempt is a stall, ms. */
  stallThresholdMs(endpoints: readonly Endpoint[]): number {
    const stall = this.options.stall;
    if (!stall) return Infinity;
    const latencies: number[] = [];
    for (const endpoint of endpoints) if (endpoint.latencyEwmaMs !== undefined) latencies.push(endpoint.latencyEwmaMs);
    if (latencies.length === 0) return stall.floorMs;
    latencies.sort((a, b) => a - b);
    const mid = latencies.length >> 1;
    const median = latencies.length % 2 === 1 ? latencies[mid]! : (latencies[mid - 1]! + latencies[mid]!) / 2;
    return Math.max(stall.floorMs, stall.multiplier * median);
  }

  /**
   * Runs every `stall.checkIntervalMs` while attempts are in flight; visits only the endpoints with
   * attempts in flight, and computes the threshold only when one of them is older than the floor.
   */
  checkStalls(now: number = performance.now()): void {
    const stall = this.options.stall;
    if (!stall) return;
    let endpoints: readonly Endpoint[] | undefined;
    let threshold: number | undefined;
    for (const endpoint of this.busy) {
      const oldest = endpoint.outstanding.values().next().value;
      if (oldest === undefined) {
        this.busy.delete(endpoint);
        continue;
      }
      if (endpoint.state !== 'CLOSED' || now - oldest.startedAt < stall.floorMs) continue;
      endpoints ??= this.endpoints();
      threshold ??= this.stallThresholdMs(endpoints);
      if (now - oldest.startedAt < threshold) continue;
      if (!answeredSince(endpoints, endpoint, oldest.startedAt)) continue;
      if (this.eject(endpoint, 'stall')) endpoint.rescueOutstanding();
    }
    if (this.busy.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private eject(endpoint: Endpoint, reason: EjectionReason): boolean {
    if (endpoint.state !== 'CLOSED') return false;
    const endpoints = this.endpoints();
    let ejected = 0;
    for (const other of endpoints) if (other.state !== 'CLOSED') ejected++;
    if (ejected + 1 > Math.floor((endpoints.length * this.options.maxEjectionPercent) / 100)) return false;
    endpoint.eject(reason);
    return true;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.busy.clear();
  }
}

/** Whether another listed endpoint answered an attempt sent after `since`. */
function answeredSince(endpoints: readonly Endpoint[], stalled: Endpoint, since: number): boolean {
  for (const endpoint of endpoints) if (endpoint !== stalled && endpoint.lastAnswerSentAt > since) return true;
  return false;
}
