import type { Attempt, InFlightAttempt } from '../attempt/attempt.js';
import { callerStalls } from '../attempt/caller-stall.js';
import type { AttemptOutcome } from '../attempt/outcome.js';
import type { PickDecorator } from '../balancer/balancer.js';
import type { CompletePick } from '../balancer/picker.js';
import type { Endpoint } from '../breaker/endpoint.js';
import type { ResolvedOutlierDetection } from './outlier-options.js';

/** Outlier detection's own record of one endpoint. */
class OutlierState {
  /**
   * Attempts sent, oldest first, from `head` on; ended ones are dropped from the front as they reach it
   * (a queue with lazy removal: no hashing per call).
   */
  private sent: InFlightAttempt[] = [];
  private head = 0;
  /** `performance.now()` at which the latest answered attempt had been sent. */
  lastAnswerSentAt = -Infinity;
  /**
   * `performance.now()` at which an attempt that timed out past the stall threshold had been sent, while no
   * other instance had yet answered a later one (a stall waiting for that evidence); undefined otherwise.
   */
  stalledSentAt: number | undefined = undefined;
  /** Instance failures since the last answer or re-admission. */
  consecutiveFailures = 0;
  /** The failure-percentage window: when it started (`performance.now()`), attempts and failures in it. */
  windowStartedAt = -Infinity;
  windowAttempts = 0;
  windowFailures = 0;
  /** The inner pick the cached `pick` wraps. */
  inner: CompletePick | undefined = undefined;
  pick: CompletePick | undefined = undefined;

  constructor(readonly endpoint: Endpoint) {}

  add(attempt: InFlightAttempt): void {
    this.sent.push(attempt);
  }

  /** The oldest attempt still in flight, or undefined. */
  oldest(): InFlightAttempt | undefined {
    const sent = this.sent;
    while (this.head < sent.length && sent[this.head]!.ended) this.head++;
    if (this.head === sent.length) {
      if (this.head > 0) {
        sent.length = 0;
        this.head = 0;
      }
      return undefined;
    }
    if (this.head > 64 && this.head * 2 > sent.length) {
      this.sent = sent.slice(this.head);
      this.head = 0;
    }
    return this.sent[this.head];
  }

  /** The attempts still in flight, oldest first. */
  inFlight(): InFlightAttempt[] {
    return this.sent.slice(this.head).filter((attempt) => !attempt.ended);
  }
}

/**
 * Outlier detection, a pick decorator beside opossum's error-percentage rule: it wraps each pick's hooks,
 * keeps its own record per endpoint, and ejects an instance (opens its breaker through opossum's `open()`,
 * so the usual `OPEN breaker on [...]` line and event follow) on
 *
 * - `consecutiveFailures` instance failures in a row (Envoy's `consecutive_5xx`, Finagle's failure accrual:
 *   both default to 5);
 * - a failure percentage of at least `failurePercentage.threshold` within a short window (Envoy's
 *   `failure_percentage`);
 * - a refused connection, at once (nothing listens there);
 * - a **stall**: the oldest attempt outstanding on the instance is older than
 *   `max(stall.floorMs, stall.multiplier × the service's typical latency)` while another instance has
 *   answered an attempt sent after it. "Typical" is the median of the instances' latency averages, so one
 *   slow or paused instance stands out against its peers; an attempt's age leaves out the stalls of the
 *   caller's own event loop (`attempt/caller-stall.ts`). A stalled instance's
 *   rescuable attempts are aborted at once and their calls go on elsewhere. At low traffic no other
 *   attempt runs beside the stalled one: an attempt that *timed out* past the threshold is then a stall
 *   too, ejected as soon as another instance answers an attempt sent after it (typically the call's own
 *   retry), so a stalled instance costs one timed-out attempt, not `consecutiveFailures` of them. Relative
 *   to the peers like Envoy's `success_rate` rule: slow everywhere is no outlier.
 *
 * Every ejection, these rules' and opossum's alike, obeys the ejection guard (`breaker/ejection-guard.ts`):
 * never more than `maxEjectionPercent` of the listed instances at once (Envoy's `max_ejection_percent`), and
 * none while most of the fleet fails at once (overload, not an outlier).
 */
export class OutlierDetection implements PickDecorator {
  private readonly states = new Map<Endpoint, OutlierState>();
  private listed: readonly Endpoint[] = [];
  private usable = new Set<Endpoint>();
  /** Endpoints with attempts in flight at the last look: the stall check visits only these. */
  private readonly busy = new Set<OutlierState>();
  /** Endpoints with a timed-out stall waiting for a peer's later answer (`OutlierState.stalledSentAt`). */
  private readonly suspects = new Set<OutlierState>();
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly options: ResolvedOutlierDetection,
    private readonly now: () => number = () => performance.now(),
  ) {}

  snapshot(listed: readonly Endpoint[], usable: readonly Endpoint[]): void {
    const previous = this.usable;
    this.listed = listed;
    this.usable = new Set(usable);
    // back in rotation (re-admitted): its failures in a row start again
    for (const endpoint of usable) if (!previous.has(endpoint)) this.state(endpoint).consecutiveFailures = 0;
    const stillListed = new Set(listed);
    for (const [endpoint, state] of this.states) if (!stillListed.has(endpoint) && state.oldest() === undefined) this.states.delete(endpoint);
    for (const state of this.suspects) if (!this.usable.has(state.endpoint)) this.unsuspect(state);
  }

  wrap(endpoint: Endpoint, inner: CompletePick): CompletePick {
    const state = this.state(endpoint);
    if (state.inner !== inner || state.pick === undefined) {
      state.inner = inner;
      state.pick = {
        type: 'complete',
        endpoint: inner.endpoint,
        onCallStarted: (attempt) => inner.onCallStarted(attempt) ?? this.started(state, attempt),
        onCallEnded: (attempt, outcome) => {
          this.ended(state, attempt, outcome);
          return inner.onCallEnded(attempt, outcome);
        },
      };
    }
    return state.pick;
  }

  private state(endpoint: Endpoint): OutlierState {
    let state = this.states.get(endpoint);
    if (!state) this.states.set(endpoint, (state = new OutlierState(endpoint)));
    return state;
  }

  /** An attempt was sent: make sure someone watches it for stalls. */
  private started(state: OutlierState, attempt: Attempt): undefined {
    state.add(attempt);
    const stall = this.options.stall;
    if (stall) {
      this.busy.add(state);
      if (this.timer === undefined) {
        this.timer = setInterval(() => this.checkStalls(), stall.checkIntervalMs);
        this.timer.unref();
      }
    }
    return undefined;
  }

  private ended(state: OutlierState, attempt: Attempt, outcome: AttemptOutcome): void {
    state.oldest(); // drops the ended attempts at the front: nothing outlives its call for long
    const endpoint = state.endpoint;
    if (outcome.type === 'notSent') {
      if (outcome.reason === 'refused' && this.options.ejectOnRefused) endpoint.eject('refused');
      return;
    }
    // aborted because a hedge answered first, or because the call was cancelled: it says nothing of the
    // instance, not even as an attempt of the window
    if (outcome.type === 'hedgeLost' || outcome.type === 'cancelled') return;
    if (outcome.verdict.answered) {
      state.consecutiveFailures = 0;
      if (attempt.startedAt > state.lastAnswerSentAt) state.lastAnswerSentAt = attempt.startedAt;
      if (this.suspects.size > 0) this.confirmStalls(state, attempt.startedAt);
    } else if (outcome.type === 'instanceFailure' && outcome.reason === 'timeout' && this.options.stall) {
      this.timedOut(state, attempt);
    }
    const failed = outcome.verdict.countsAgainst;
    const window = this.options.failurePercentage;
    if (window) {
      const now = this.now();
      if (now - state.windowStartedAt > window.intervalMs) {
        state.windowStartedAt = now;
        state.windowAttempts = 0;
        state.windowFailures = 0;
      }
      state.windowAttempts++;
      if (failed) state.windowFailures++;
    }
    // a rescued stall was ejected already: it is no failure of its own
    if (!failed || (outcome.type === 'instanceFailure' && outcome.reason === 'stall')) return;
    state.consecutiveFailures++;
    const limit = this.options.consecutiveFailures;
    if (limit > 0 && state.consecutiveFailures >= limit) {
      endpoint.eject('consecutive-failures');
    } else if (window && state.windowAttempts >= window.requestVolume && state.windowFailures * 100 >= window.threshold * state.windowAttempts) {
      endpoint.eject('failure-percentage');
    }
  }

  /** Threshold above which an outstanding attempt is a stall, ms: `max(floorMs, multiplier × median latency)`. */
  stallThresholdMs(endpoints: readonly Endpoint[] = this.listed): number {
    const stall = this.options.stall;
    if (!stall) return Infinity;
    const latencies: number[] = [];
    for (const endpoint of endpoints) if (endpoint.latencyMs !== undefined) latencies.push(endpoint.latencyMs);
    if (latencies.length === 0) return stall.floorMs;
    latencies.sort((a, b) => a - b);
    const mid = latencies.length >> 1;
    const median = latencies.length % 2 === 1 ? latencies[mid]! : (latencies[mid - 1]! + latencies[mid]!) / 2;
    return Math.max(stall.floorMs, stall.multiplier * median);
  }

  /**
   * Runs every `stall.checkIntervalMs` while attempts are in flight; visits only the endpoints with attempts
   * in flight, and computes the threshold only when one of them is older than the floor.
   */
  checkStalls(now: number = this.now()): void {
    const stall = this.options.stall;
    if (!stall) return;
    let threshold: number | undefined;
    for (const state of this.busy) {
      const oldest = state.oldest();
      if (oldest === undefined) {
        this.busy.delete(state);
        continue;
      }
      // its age less the stalls of the caller's own event loop: those say nothing of the instance
      const age = now - oldest.startedAt - (callerStalls.stalledMs - oldest.stalledAtStart);
      if (state.endpoint.state !== 'CLOSED' || age < stall.floorMs) continue;
      threshold ??= this.stallThresholdMs();
      if (age < threshold || !this.answeredSince(state, oldest.startedAt)) continue;
      this.ejectStalled(state);
    }
    if (this.busy.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Ejects a stalled instance and re-sends its rescuable attempts elsewhere. */
  private ejectStalled(state: OutlierState): void {
    this.unsuspect(state);
    if (state.endpoint.eject('stall')) {
      for (const attempt of state.inFlight()) if (attempt.rescuable) attempt.rescue();
    }
  }

  /**
   * An attempt timed out. Older than the stall threshold, it is a stall: ejected now if another instance has
   * answered a later attempt already, else once one does (`confirmStalls`).
   */
  private timedOut(state: OutlierState, attempt: Attempt): void {
    const age = this.now() - attempt.startedAt - (callerStalls.stalledMs - attempt.stalledAtStart);
    if (state.endpoint.state !== 'CLOSED' || age < this.stallThresholdMs()) return;
    if (this.answeredSince(state, attempt.startedAt)) {
      this.ejectStalled(state);
    } else {
      state.stalledSentAt = Math.max(state.stalledSentAt ?? -Infinity, attempt.startedAt);
      this.suspects.add(state);
    }
  }

  /** `answering` answered an attempt sent at `sentAt`: the evidence a suspect's timed-out stall waited for. */
  private confirmStalls(answering: OutlierState, sentAt: number): void {
    for (const suspect of this.suspects) {
      const stalledSentAt = suspect.stalledSentAt!;
      if (sentAt <= stalledSentAt) continue;
      // the suspect itself answered a later attempt: it is not stalled (any more)
      if (suspect === answering) this.unsuspect(suspect);
      else if (suspect.endpoint.state === 'CLOSED') this.ejectStalled(suspect);
      else this.unsuspect(suspect);
    }
  }

  private unsuspect(state: OutlierState): void {
    state.stalledSentAt = undefined;
    this.suspects.delete(state);
  }

  /** Whether another listed endpoint answered an attempt sent after `since`. */
  private answeredSince(stalled: OutlierState, since: number): boolean {
    for (const endpoint of this.listed) {
      const state = this.states.get(endpoint);
      if (state !== undefined && state !== stalled && state.lastAnswerSentAt > since) return true;
    }
    return false;
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.busy.clear();
    this.suspects.clear();
  }
}
